package hub_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// geneva.svc.submitted.<member> tells a sender whose PubAck was lost
// whether the hub has its submission: decided (its receipt's submission
// id), never sent, refused by the gate before it was stored (its refusal
// receipt does not count: the sender must send it again), and never
// another member's.
func TestSubmittedSaysWhatTheHubHas(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithMoU(quotaMoU(t)))
	bank := dial(t, h, "bank-one")
	since := time.Now().Add(-time.Minute)

	res, err := bank.Submit(ctx(t), []byte(`{"type":"bundle","id":"bundle--5b0e0b47-3a39-4bd0-9c5c-4c1e4b0d8a11","objects":[]}`),
		member.SubmitOptions{MsgID: "decided-1"})
	require.NoError(t, err)
	// Once acked by the worker it is found by its receipt.
	op := h.Member(t, wire.OperatorName)
	hubtest.Eventually(t, 30*time.Second, func() error {
		c, err := op.JS.Consumer(ctx(t), wire.IntakeStream("bank-one"), wire.ConsumerWorker)
		if err != nil {
			return err
		}
		info, err := c.Info(ctx(t))
		if err != nil {
			return err
		}
		if info.AckFloor.Stream < res.Sequence {
			return fmt.Errorf("intake acked up to %d, the submission is %d", info.AckFloor.Stream, res.Sequence)
		}
		return nil
	})
	got, err := bank.Submitted(ctx(t), "decided-1", since)
	require.NoError(t, err)
	require.True(t, got.Stored, "a decided submission")
	require.Equal(t, res.Receipt.Submission, got.Submission)

	got, err = bank.Submitted(ctx(t), "never-sent", since)
	require.NoError(t, err)
	require.False(t, got.Stored, "a submission never sent")

	got, err = dial(t, h, "isp-two").Submitted(ctx(t), "decided-1", since)
	require.NoError(t, err)
	require.False(t, got.Stored, "another member's submission is not the asker's")

	_, err = bank.Submitted(ctx(t), "", since)
	var refused *member.RefusedError
	require.ErrorAs(t, err, &refused, "an empty msg id")

	// Over its burst the gate refuses a submission before it is stored,
	// and records a receipt for it.
	flood := h.Member(t, "bank-one")
	var futures []jetstream.PubAckFuture
	for i := range 40 {
		f, err := flood.JS.PublishMsgAsync(wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("flood-", i)}))
		require.NoError(t, err)
		futures = append(futures, f)
	}
	refusedID := ""
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			var api *jetstream.APIError
			if errors.As(err, &api) && refusedID == "" {
				refusedID = f.Msg().Header.Get("Nats-Msg-Id")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no PubAck within 30s")
		}
	}
	require.NotEmpty(t, refusedID, "the gate refused part of the flood")
	hubtest.Eventually(t, 30*time.Second, func() error {
		rs, err := bank.Receipts(ctx(t), since)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.MsgID == refusedID {
				return nil
			}
		}
		return fmt.Errorf("no refusal receipt for %s yet", refusedID)
	})
	got, err = bank.Submitted(ctx(t), refusedID, since)
	require.NoError(t, err)
	require.False(t, got.Stored, "a submission refused before it was stored: its sender must send it again")
}

// A submission stored but not decided yet (no worker running: an intake
// backlog) has no receipt, and the hub has it all the same.
func TestSubmittedCountsTheUndecided(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.WorkerNodesOnly = true }))
	bank := dial(t, h, "bank-one")
	since := time.Now().Add(-time.Minute)
	_, err := bank.Submit(ctx(t), []byte(`{"type":"bundle","id":"bundle--5b0e0b47-3a39-4bd0-9c5c-4c1e4b0d8a12","objects":[]}`),
		member.SubmitOptions{MsgID: "undecided-1", NoWait: true})
	require.NoError(t, err)
	got, err := bank.Submitted(ctx(t), "undecided-1", since)
	require.NoError(t, err)
	require.True(t, got.Stored, "stored, waiting for a worker")
	require.Empty(t, got.Submission, "not decided: no receipt yet")
}

func dial(t *testing.T, h *hubtest.Hub, id string) *member.Client {
	t.Helper()
	c, err := member.Dial(ctx(t), h.ClientURL(), h.CredsPath(id))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// intake_dedup_window is checked: 1s .. 1h, named with its line.
func TestIntakeDedupWindowIsChecked(t *testing.T) {
	dir := t.TempDir()
	mou := filepath.Join(dir, "mou.yaml")
	require.NoError(t, os.WriteFile(mou, policy.DemoMoUYAML(), 0o600))
	for value, bad := range map[string]bool{"500ms": true, "2h": true, "1s": false, "10m": false} {
		path := filepath.Join(dir, "hub.yaml")
		require.NoError(t, os.WriteFile(path, []byte("mou_file: "+mou+"\nintake_dedup_window: "+value+"\n"), 0o600))
		cfg, err := hub.LoadConfig(path)
		if bad {
			require.ErrorContains(t, err, ":2: intake_dedup_window: ", value)
			require.ErrorContains(t, err, "is outside 1s..1h", value)
			continue
		}
		require.NoError(t, err, value)
		require.NotZero(t, cfg.IntakeDedupWindow, value)
	}
}
