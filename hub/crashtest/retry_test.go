package crashtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestRetryAfterRestartIsNotStoredAgain: a member whose PubAck was lost
// (the hub died after storing and deciding the submission, before the
// PubAck reached it) retries with the same Nats-Msg-Id after the hub is
// back, well inside the dedup window. The retry must be recognised as a
// duplicate: no second receipt, no second share.
func TestRetryAfterRestartIsNotStoredAgain(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	bank := h.Member(t, "bank-one")
	bundle := crashtest.GreenBundle("retry-1")
	first := bank.Submit(t, bundle, wire.SubmitOptions{MsgID: "retry-1"})
	require.False(t, first.Duplicate)
	r := bank.NextReceipt(t, 30*time.Second) // decided, acked: gone from the work-queue intake
	require.Equal(t, "retry-1", r.MsgID)
	// While the hub runs, the same retry is a duplicate.
	require.True(t, bank.Submit(t, bundle, wire.SubmitOptions{MsgID: "retry-1"}).Duplicate)
	require.NoError(t, h.Stop())

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	bank = h.Member(t, "bank-one")
	again := bank.Submit(t, bundle, wire.SubmitOptions{MsgID: "retry-1"})
	if _, ok := bank.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"), 5*time.Second); ok || !again.Duplicate {
		t.Fatalf("the retry of msg id retry-1 after a restart was stored again (PubAck seq %d, duplicate %t; first seq %d) "+
			"and decided a second time (second receipt: %t): the intake's dedup state does not survive a restart "+
			"once the work queue has removed the message", again.Sequence, again.Duplicate, first.Sequence, ok)
	}
}
