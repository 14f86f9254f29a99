package member_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Receipts reads a view of the receipt stream: it lists every receipt,
// also the one Submit waited for, as often as asked, and neither takes any
// from receipt_<member>, which stays whole for the member's connector.
func TestReceiptsAreReadNotTaken(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	first, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", "first"), member.SubmitOptions{NoWait: true})
	require.NoError(t, err)
	second, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "red", "second"), member.SubmitOptions{})
	require.NoError(t, err)
	require.Equal(t, policy.Reject, second.Receipt.Verdict)
	require.Equal(t, second.MsgID, second.Receipt.MsgID)

	for range 2 { // reading twice shows the same: nothing was taken
		rs, err := bank.Receipts(ctxFor(t, 5*time.Second), time.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, rs, 2)
		require.Equal(t, first.MsgID, rs[0].MsgID)
		require.Equal(t, policy.Accept, rs[0].Verdict)
		require.Equal(t, second.MsgID, rs[1].MsgID)
		require.Equal(t, policy.Reject, rs[1].Verdict)
	}
	rs, err := bank.Receipts(ctxFor(t, 5*time.Second), time.Time{})
	require.NoError(t, err)
	require.Len(t, rs, 2, "a zero since: all the hub keeps")
	rs, err = bank.Receipts(ctxFor(t, 5*time.Second), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.Empty(t, rs, "nothing after a time in the future")

	isp := membertest.Dial(t, h, "isp-two")
	rs, err = isp.Receipts(ctxFor(t, 5*time.Second), time.Time{})
	require.NoError(t, err)
	require.Empty(t, rs, "another member sees none of bank-one's")

	connector := h.Member(t, "bank-one")
	got := connector.Available(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"))
	require.Len(t, got, 2, "the connector still gets both receipts, also the one Submit waited for")
}

// A retry with the same Nats-Msg-Id is stored once; its receipt is already
// out, and Submit still finds it.
func TestSubmitRetryGetsTheFirstReceipt(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	b := membertest.Indicator(t, "green", "retried")
	first, err := bank.Submit(ctxFor(t, 10*time.Second), b, member.SubmitOptions{MsgID: "retry-1"})
	require.NoError(t, err)
	again, err := bank.Submit(ctxFor(t, 10*time.Second), b, member.SubmitOptions{MsgID: "retry-1"})
	require.NoError(t, err)
	require.Equal(t, first.Sequence, again.Sequence, "stored once")
	require.Equal(t, first.Receipt.Submission, again.Receipt.Submission)
}

// More waiting submissions in a row than a member may hold views at once:
// each view goes when its Submit returns.
func TestManySubmitsInARow(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	for i := range hub.MaxSubscriptions + 4 {
		res, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", fmt.Sprint("row ", i)), member.SubmitOptions{})
		require.NoError(t, err, "submission %d", i)
		require.Equal(t, res.MsgID, res.Receipt.MsgID)
	}
}

func TestDirectory(t *testing.T) {
	h := hubtest.StartHub(t)
	isp := membertest.Dial(t, h, "isp-two")
	ms, err := isp.Directory(ctxFor(t, 5*time.Second), directory.Query{Type: "law-enforcement"})
	require.NoError(t, err)
	require.Len(t, ms, 2)
	require.Equal(t, "le-alpha", ms[0].ID)
	require.Equal(t, "NO", ms[0].Jurisdiction)
	require.NotEmpty(t, ms[0].Contact.Phone)

	ms, err = isp.Directory(ctxFor(t, 5*time.Second), directory.Query{Jurisdiction: "SE"})
	require.NoError(t, err)
	require.Empty(t, ms)
}
