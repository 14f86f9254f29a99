package member_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/member/membertest"
)

// Receipts lists without taking; Submit takes only its own receipt.
func TestReceiptsAreReadNotTaken(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	first, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", "first"), member.SubmitOptions{NoWait: true})
	require.NoError(t, err)
	second, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "red", "second"), member.SubmitOptions{NoWait: true})
	require.NoError(t, err)
	waited, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", "waited"), member.SubmitOptions{})
	require.NoError(t, err)
	require.Equal(t, "accept", waited.Receipt.Verdict)

	for range 2 { // reading twice shows the same: nothing was taken
		rs, err := bank.Receipts(ctxFor(t, 5*time.Second), time.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, rs, 2)
		require.Equal(t, first.MsgID, rs[0].MsgID)
		require.Equal(t, "accept", rs[0].Verdict)
		require.Equal(t, second.MsgID, rs[1].MsgID)
		require.Equal(t, "reject", rs[1].Verdict)
	}
	rs, err := bank.Receipts(ctxFor(t, 5*time.Second), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.Empty(t, rs, "nothing after a time in the future")

	connector := h.Member(t, "bank-one")
	got := connector.Available(t, hub.StreamReceipt, hub.ReceiptConsumer("bank-one"))
	require.Len(t, got, 2, "the connector still gets both receipts it did not wait for")
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
