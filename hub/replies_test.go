package hub_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestServicesRefuseForeignReplySubjects is the hub's own check behind the
// member accounts: a request that reaches a hub service with a reply
// subject outside the asker's reply space (as it would if members ever
// shared the hub's account again, or from the hub account itself) is not
// answered, is counted per member and logged naming the member.
func TestServicesRefuseForeignReplySubjects(t *testing.T) {
	var logs hubtest.Logs
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}))
	op := h.Member(t, wire.OperatorName) // the hub account: no service import rewrites its replies
	audit := func() uint64 {
		s, err := op.JS.Stream(ctx(t), wire.StreamAudit)
		require.NoError(t, err, "GENEVA_AUDIT is still there")
		info, err := s.Info(ctx(t))
		require.NoError(t, err)
		return info.State.Msgs
	}
	bank := h.Member(t, "bank-one")
	bank.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	receipt := bank.NextReceipt(t, 10*time.Second)
	// Its audit record is appended after the receipt: counted before it
	// lands, it would pass for an answer that reached the audit (stress
	// run 1 of scripts/stress.sh, test timing).
	auditRecord(t, op, receipt.Submission, "decide")
	before := audit()

	forged := nats.Header{server.ClientInfoHdr: []string{`{"acc":"member-bank-one"}`}}
	for _, r := range []struct {
		subject, reply string
		header         nats.Header
	}{
		{wire.SubscribeService("bank-one"), "$JS.API.STREAM.DELETE." + wire.StreamAudit, nil},
		{wire.ReceiptsService("bank-one"), wire.SubjectAudit, nil},
		{wire.MoUService("bank-one"), "$JS.API.STREAM.PURGE." + wire.StreamAudit, nil},
		{wire.SubmittedService("bank-one"), "$JS.API.STREAM.DELETE." + wire.StreamAudit, nil},
		{wire.SubscribeService("bank-one"), wire.SubjectAudit, forged},
		{wire.SubjectDirectory, wire.SubjectAudit, forged},
		{wire.SubjectDirectory, "$JS.API.STREAM.PURGE." + wire.StreamAudit, nil},
		{wire.SubjectReviewService, "$JS.API.STREAM.DELETE." + wire.StreamAudit, nil},
	} {
		msg := &nats.Msg{Subject: r.subject, Reply: r.reply, Header: r.header, Data: []byte(`{"session":"s","action":"list"}`)}
		require.NoError(t, op.NC.PublishMsg(msg))
	}
	// Each service answers its own caller afterwards: the forged requests
	// were handled before.
	for _, s := range []string{wire.SubscribeService("bank-one"), wire.ReceiptsService("bank-one"), wire.MoUService("bank-one"), wire.SubmittedService("bank-one"), wire.SubjectDirectory, wire.SubjectReviewService} {
		_, err := op.NC.Request(s, []byte(`{"session":"t","action":"list"}`), 10*time.Second)
		require.NoError(t, err, "%s answers a caller in its reply space", s)
	}
	require.Equal(t, before, audit(), "no answer reached the audit")

	hubtest.Eventually(t, 5*time.Second, func() error {
		_, body := scrape(t, h.HTTPAddr(), "/metrics")
		for _, want := range []string{`geneva_refused_replies_total{member="bank-one"} 6`, `geneva_refused_replies_total{member="unknown"} 2`} {
			if !strings.Contains(body, want) {
				return fmt.Errorf("/metrics lacks %s", want)
			}
		}
		return nil
	})
	require.Contains(t, logs.String(), `member=bank-one reply=$JS.API.STREAM.DELETE.GENEVA_AUDIT`)
}
