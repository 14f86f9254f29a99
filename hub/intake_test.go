package hub_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// Decided submissions stay in the intake for the dedup window (so a retry
// after a restart is still recognised; see hub/crashtest), then go.
func TestIntakeIsTrimmedAfterTheDedupWindow(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := h.Member(t, "bank-one")
	var between time.Time // after a and b were stored, before c
	for _, id := range []string{"a", "b", "c"} {
		if id == "c" {
			time.Sleep(20 * time.Millisecond)
			between = time.Now()
			time.Sleep(20 * time.Millisecond)
		}
		bank.Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{MsgID: id})
		bank.NextReceipt(t, 10*time.Second)
	}
	op := h.Member(t, wire.OperatorName)
	intake := func() uint64 {
		s, err := op.JS.Stream(ctx(t), wire.IntakeStream("bank-one"))
		require.NoError(t, err)
		return s.CachedInfo().State.Msgs
	}
	require.EqualValues(t, 3, intake(), "decided submissions are kept while their ids may be retried")

	require.NoError(t, h.TrimIntake(ctx(t), "bank-one", time.Now().Add(-time.Hour)))
	require.EqualValues(t, 3, intake(), "nothing is older than the cutoff yet")

	// The worker acks a submission just after it publishes the receipt, so
	// the ack floor may trail the last receipt by a moment.
	require.Eventually(t, func() bool {
		require.NoError(t, h.TrimIntake(ctx(t), "bank-one", between))
		return intake() == 1
	}, 10*time.Second, 50*time.Millisecond, "a and b are older than the cutoff, c is not")
	require.Eventually(t, func() bool {
		require.NoError(t, h.TrimIntake(ctx(t), "bank-one", time.Now().Add(time.Second)))
		return intake() == 0
	}, 10*time.Second, 50*time.Millisecond, "acked and older than the cutoff: trimmed")
	require.True(t, bank.Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{MsgID: "c"}).Duplicate,
		"the running server still remembers the ids it trimmed")
}
