package daemon_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// A submission whose PubAck was lost as the link to the hub went down, the
// link staying down longer than the intake's dedup window: the connector
// must not send it again (it would be stored and decided twice), and the
// bundle its source gave it during the outage, which never reached the
// hub, must still be delivered. The window is 2 s here (intake_dedup_window)
// so the outage can outlast it.
func TestLostPubAckAfterTheDedupWindowDecidesOnce(t *testing.T) {
	const window = 2 * time.Second
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.IntakeDedupWindow = hub.Duration(window) }))
	link := newLinkProxy(t, strings.TrimPrefix(h.ClientURL(), "nats://"))
	sender := startConnectorVia(t, h, link.URL(), "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", nil)
	op := h.Member(t, wire.OperatorName)
	intake, err := op.JS.Stream(t.Context(), wire.IntakeStream("bank-one"))
	require.NoError(t, err)

	// The first bundle reaches the hub; its PubAck does not come back.
	tripped := link.loseAnswersAfter([]byte("Nats-Msg-Id: gc-"))
	sender.drop(t, "first.json", marked("first", tlp.Green))
	select {
	case <-tripped:
	case <-time.After(30 * time.Second):
		t.Fatal("the connector did not publish the first bundle within 30s")
	}
	var stored time.Time
	eventually(t, "the hub stored the first bundle", func() bool {
		m, err := intake.GetMsg(t.Context(), 1)
		if err == nil {
			stored = m.Time
		}
		return err == nil
	})
	link.cut()

	// During the outage a second bundle is spooled; it never reaches the hub.
	sender.drop(t, "second.json", marked("second", tlp.Green))
	eventually(t, "both bundles in the connector's queue", func() bool { return len(sender.files("spool/queue")) == 2 })
	// The outage outlasts the dedup window of the first bundle (its end
	// is a time, not an event: waited for as such).
	windowEnd := stored.Add(window + time.Second)
	<-time.After(time.Until(windowEnd))
	link.restore()

	// The first receipt may have been handed out on the muted link: it
	// comes again after the receipt consumer's ack wait (30 s).
	hubtest.Eventually(t, 90*time.Second, func() error {
		if n := len(sender.files("drop/done")); n != 4 {
			return fmt.Errorf("%d files in done/, want both bundles and their receipts", n)
		}
		return nil
	})
	worker, err := intake.Consumer(t.Context(), wire.ConsumerWorker)
	require.NoError(t, err)
	eventually(t, "every submission in bank-one's intake decided", func() bool {
		info, err := worker.Info(t.Context())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	})
	// Whatever reached the intake is decided: one receipt per bundle.
	receipts := map[string]int{}
	for _, m := range storedOn(t, op.JS, wire.StreamReceipt, wire.ReceiptSubject("bank-one")) {
		var r wire.Receipt
		require.NoError(t, json.Unmarshal(m.Data, &r))
		receipts[r.MsgID]++
	}
	require.Len(t, receipts, 2, "a receipt for each bundle: %v", receipts)
	for id, n := range receipts {
		require.Equal(t, 1, n, "bundle %s decided %d times", id, n)
	}
	// Each bundle reached isp-two once (one submission per bundle id).
	submissions := map[string]map[string]bool{}
	for _, m := range h.Member(t, "isp-two").Shares(t) {
		var b struct{ ID string }
		require.NoError(t, json.Unmarshal(m.Data(), &b))
		if submissions[b.ID] == nil {
			submissions[b.ID] = map[string]bool{}
		}
		submissions[b.ID][m.Headers().Get(wire.HeaderSubmission)] = true
	}
	require.Len(t, submissions, 2, "isp-two got both bundles")
	for id, subs := range submissions {
		require.Len(t, subs, 1, "isp-two got bundle %s from %d submissions", id, len(subs))
	}
}

// storedOn is every message of stream on subject (the operator's view).
func storedOn(t *testing.T, js jetstream.JetStream, stream, subject string) []*jetstream.RawStreamMsg {
	t.Helper()
	s, err := js.Stream(t.Context(), stream)
	require.NoError(t, err)
	info, err := s.Info(t.Context())
	require.NoError(t, err)
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := s.GetMsg(t.Context(), seq)
		if err == nil && m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

// A submission the hub's gate refuses over quota is not stored: the
// connector sends it again, and the refusal's receipt (marked
// Geneva-Not-Stored) settles nothing. The receipt beside the file is the
// decision of the copy the hub stored.
func TestQuotaRefusalReceiptSettlesNothing(t *testing.T) {
	mou := policy.DemoMoU()
	for i := range mou.Members {
		if mou.Members[i].ID == "bank-one" {
			mou.Members[i].Quota = policy.Quota{SubmissionsPerSecond: 1, SubmissionBurst: 1}
		}
	}
	require.NoError(t, mou.Validate())
	h := hubtest.StartHub(t, hubtest.WithMoU(mou))
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", nil)
	for _, name := range []string{"one.json", "two.json", "three.json"} {
		sender.drop(t, name, marked(name, tlp.Green))
	}
	eventually(t, "three accept receipts", func() bool {
		return sender.metric(t, `geneva_connector_receipts_total{verdict="accept"}`) == "3"
	})
	require.Empty(t, sender.files("drop/failed"), "nothing settled as rejected")
	refusals := 0
	for _, m := range storedOn(t, h.Member(t, wire.OperatorName).JS, wire.StreamReceipt, wire.ReceiptSubject("bank-one")) {
		if m.Header.Get(wire.HeaderNotStored) == "true" {
			refusals++
		}
	}
	require.NotZero(t, refusals, "the gate refused some of them (with a receipt)")
	require.Len(t, sender.files("drop/done"), 6, "three files and their receipts")
}
