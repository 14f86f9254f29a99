package hub_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestShutdownMidStreamLosesNothing stops the hub while submissions are
// being decided, restarts it on the same data, and checks that every
// acknowledged submission has exactly one receipt and one share per
// receiver: in-flight decisions finish or are redelivered, and the
// deterministic message ids make redelivery harmless.
//
// "Redelivered" can take the worker's AckWait: intake messages the server
// had sent to a draining worker when it unsubscribed are dropped in transit
// and stay pending until AckWait runs out. So each receipt is waited for up
// to twice that, a bound a loaded machine stays well within.
func TestShutdownMidStreamLosesNothing(t *testing.T) {
	const n = 300
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	bank := h.Member(t, "bank-one")
	green := caseBundle(t, "green-tlp2-to-all.json")
	var futures []jetstream.PubAckFuture
	for i := range n {
		f, err := bank.JS.PublishMsgAsync(wire.SubmitMsg("bank-one", green, wire.SubmitOptions{MsgID: fmt.Sprint("m", i)}))
		require.NoError(t, err)
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			t.Fatalf("submit: %v", err)
		}
	}
	require.NoError(t, h.Stop(), "graceful stop")

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	bank = h.Member(t, "bank-one")
	seen := map[string]bool{}
	for len(seen) < n {
		r := bank.NextReceipt(t, 2*hub.WorkerAckWait)
		require.False(t, seen[r.MsgID], "second receipt for %s", r.MsgID)
		seen[r.MsgID] = true
	}
	alpha := h.Member(t, "le-alpha")
	shares := map[string]bool{}
	for len(shares) < n {
		batch := alpha.StartFetch(t, wire.StreamShare, wire.InboxConsumer("le-alpha"), n-len(shares), 2*hub.WorkerAckWait)
		for _, m := range alpha.Collect(t, batch) {
			id := m.Headers().Get(wire.HeaderSubmission)
			require.False(t, shares[id], "second share of %s", id)
			shares[id] = true
		}
	}
	hubtest.ExpectShares(t, map[string]*hubtest.Member{"le-alpha": alpha, "bank-one": bank}, map[string]int{}, 300*time.Millisecond)
	require.Empty(t, bank.Available(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one")), "no extra receipt")
}
