package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// refusalBurst is how many refusals of a member get a receipt before the
// rate of one a second (hub.refusalRecords).
const refusalBurst = 100

// TestQuotaIsSharedByTheHubProcessesOfACluster runs three hub processes
// on one server of a 3-node cluster, so the server hands bank-one's
// submissions to any of the three gates, and floods with bank-one's own
// credentials: the three together admit its burst and rate once, not
// three times (each counting on its own admitted about three bursts),
// and never refuse within it; the refusals that get receipts are
// likewise counted once.
func TestQuotaIsSharedByTheHubProcessesOfACluster(t *testing.T) {
	const processes, burst, perSecond, flood = 3, 20, 1, 250
	mou := policy.DemoMoU()
	mou.Members[memberIndex(t, mou, "bank-one")].Quota = policy.Quota{SubmissionsPerSecond: perSecond, SubmissionBurst: burst}
	require.NoError(t, mou.Validate())

	dir := t.TempDir()
	cl := startNATSCluster(t, dir)
	oneNode := strings.Split(cl.URL(), ",")[0] // every gate subscribes there: the server picks one of them at random
	var hubs []*hubtest.Hub
	for i := range processes {
		opts := []hubtest.Option{hubtest.WithMoU(mou), hubtest.WithConfig(func(c *hub.Config) {
			c.HubConnection = hub.HubConnection{NATSURL: oneNode, Creds: wire.CredsPath(dir, wire.OperatorName)}
		})}
		if i == 0 {
			opts = append(opts, hubtest.WithDir(dir))
		}
		hubs = append(hubs, hubtest.StartHub(t, opts...))
	}
	bank := reconnecting(t, hubs[0], "bank-one")

	start := time.Now()
	accepted := 0
	for i := range flood {
		msg := wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("shared-", i)})
		var err error
		for retry := time.Now().Add(30 * time.Second); ; { // a PubAck late on a loaded machine: the same message again
			_, err = bank.JS.PublishMsg(ctx(t), msg)
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) || time.Now().After(retry) {
				break
			}
		}
		if err == nil {
			accepted++
			continue
		}
		var api *jetstream.APIError
		require.ErrorAs(t, err, &api, "submission %d", i)
		require.Equal(t, 429, api.Code, "submission %d: %s", i, api.Description)
		require.True(t, strings.HasPrefix(api.Description, string(hub.CodeQuotaRate)+": "), api.Description)
	}
	took := time.Since(start)
	// At most the burst, the rate over the flood, and one lease (one
	// submission at this quota) still held by each other process.
	allowed := burst + int(math.Ceil(took.Seconds()*perSecond)) + processes - 1
	t.Logf("%d submissions through %d hub processes in %v: %d accepted (at most %d allowed)", flood, processes, took, accepted, allowed)
	require.LessOrEqual(t, accepted, allowed, "the hub processes admitted more than one quota together")
	require.GreaterOrEqual(t, accepted, burst-(processes-1), "the burst is admitted (less the leases other processes hold)")

	op := reconnecting(t, hubs[0], wire.OperatorName)
	in, err := op.JS.Stream(ctx(t), wire.IntakeStream("bank-one"))
	require.NoError(t, err)
	stored := int(in.CachedInfo().State.Msgs) // a retried submission may be stored by a try whose PubAck was late
	require.GreaterOrEqual(t, stored, accepted, "every accepted submission is stored")
	require.LessOrEqual(t, stored, allowed, "nothing over the quota is stored")

	// The refusals that get a receipt (and an audit record) are counted
	// for the cluster too: a burst of 100, then one a second, not per
	// process. A refusal's receipt is stored before its answer.
	decided, recorded := 0, 0
	hubtest.Eventually(t, 60*time.Second, func() error {
		for _, msg := range bank.Available(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one")) {
			var r wire.Receipt
			require.NoError(t, json.Unmarshal(msg.Data(), &r))
			if slices.Contains(reasonCodes(r), hub.CodeQuotaRate) {
				recorded++
			} else {
				decided++
			}
		}
		if decided < stored {
			return fmt.Errorf("%d receipts of %d stored submissions", decided, stored)
		}
		return nil
	})
	refused := flood - accepted
	allowedRecords := refusalBurst + int(math.Ceil(took.Seconds())) + processes - 1
	t.Logf("%d refusals, %d of them with a receipt (at most %d allowed)", refused, recorded, allowedRecords)
	require.LessOrEqual(t, recorded, allowedRecords, "the hub processes recorded more refusals than one account allows")
	require.GreaterOrEqual(t, recorded, min(refused, refusalBurst)-(processes-1), "the first refusals have receipts")
}

// TestSharedBytesPerDayHoldAcrossProcesses charges one member's
// submissions alternately through two processes' shared accounts: the two
// admit at most its bytes per day together, all but the lease the other
// holds, and a new UTC day admits again; the rate likewise; and a flood
// over quota costs no KV read per submission.
func TestSharedBytesPerDayHoldAcrossProcesses(t *testing.T) {
	const perDay, size = 100_000, 700
	nc, err := nats.Connect(hubtest.StartNATS(t).ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	var processes []hub.QuotaCharger
	for range 2 {
		c, err := hub.NewSharedQuotaCharger(ctx(t), js)
		require.NoError(t, err)
		processes = append(processes, c)
	}
	q := policy.Quota{SubmissionsPerSecond: 1 << 30, SubmissionBurst: 1 << 30, BytesPerDay: perDay}
	day := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	admitted := 0
	for i := range 2 * perDay / size {
		code, err := processes[i%2]("cert-three", q, size, day)
		require.NoError(t, err)
		switch code {
		case "":
			admitted += size
		case hub.CodeQuotaBytes:
		default:
			t.Fatalf("submission %d refused for %s", i, code)
		}
	}
	t.Logf("two processes admitted %d bytes of a quota of %d a day", admitted, perDay)
	require.LessOrEqual(t, admitted, perDay, "together at most the member's bytes per day")
	require.GreaterOrEqual(t, admitted, perDay-perDay/100-size, "all but the other process's unspent lease")
	code, err := processes[1]("cert-three", q, size, day.Add(24*time.Hour))
	require.NoError(t, err)
	require.Empty(t, code, "a new UTC day admits again")

	rate := policy.Quota{SubmissionsPerSecond: 1, SubmissionBurst: 5, BytesPerDay: perDay}
	for i := range rate.SubmissionBurst {
		code, err := processes[0]("bank-one", rate, 1, day)
		require.NoError(t, err)
		require.Empty(t, code, "submission %d of the burst", i)
	}
	code, err = processes[0]("bank-one", rate, 1, day)
	require.NoError(t, err)
	require.Equal(t, hub.CodeQuotaRate, code, "beyond the burst")

	// A flood over quota is refused from what the last read proved, not
	// with a KV read per submission (with no connection a read fails).
	nc.Close()
	for range 3 {
		code, err := processes[0]("cert-three", q, size, day)
		require.NoError(t, err, "a refusal over bytes per day needs no KV read")
		require.Equal(t, hub.CodeQuotaBytes, code)
		code, err = processes[0]("bank-one", rate, 1, day.Add(500*time.Millisecond))
		require.NoError(t, err, "a refusal before the next token needs no KV read")
		require.Equal(t, hub.CodeQuotaRate, code)
	}
}

// A lease that runs low is refilled ahead, in the background: once the
// refill landed, a whole lease of submissions is charged from memory, with
// no KV round trip on the gate's goroutine (here the KV is gone); and the
// refill never holds more than one lease: the next submission needs the
// KV again.
func TestSharedQuotaRefillsAheadOfTheGate(t *testing.T) {
	nc, err := nats.Connect(hubtest.StartNATS(t).ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	charge, waitRefill, err := hub.NewSharedQuotaChargerAhead(ctx(t), js)
	require.NoError(t, err)
	// A lease is 10 submissions; it runs low at 2 left.
	q := policy.Quota{SubmissionsPerSecond: 100, SubmissionBurst: 100, BytesPerDay: 1 << 30}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for i := range 8 {
		code, err := charge("bank-one", q, 100, now)
		require.NoError(t, err)
		require.Empty(t, code, "submission %d", i)
	}
	waitRefill("bank-one")
	nc.Close()
	for i := range 10 {
		code, err := charge("bank-one", q, 100, now)
		require.NoError(t, err, "submission %d after the refill: charged from memory", i)
		require.Empty(t, code)
	}
	_, err = charge("bank-one", q, 100, now)
	require.Error(t, err, "beyond one lease the KV is needed")
}
