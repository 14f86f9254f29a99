package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// refused checks that the server refuses what act does on conn: a
// permission violation naming subject arrives (the server sends it before
// the PONG of the flush, so it is never missed).
func refused(t *testing.T, m *hubtest.Member, what, subject string, act func() error) {
	t.Helper()
	before := len(m.Errors())
	require.NoError(t, act(), "%s: %s", m.ID, what)
	require.NoError(t, m.NC.Flush())
	hubtest.Eventually(t, 5*time.Second, func() error {
		for _, err := range m.Errors()[before:] {
			if errors.Is(err, wire.ErrNotPermitted) && strings.Contains(err.Error(), fmt.Sprintf("%q", subject)) {
				return nil
			}
		}
		return fmt.Errorf("%s: %s (%s) was not refused; errors: %v", m.ID, what, subject, m.Errors()[before:])
	})
}

func refusedPub(t *testing.T, m *hubtest.Member, what, subject string) {
	t.Helper()
	refused(t, m, what, subject, func() error {
		return m.NC.PublishMsg(&nats.Msg{Subject: subject, Reply: wire.InboxPrefix(m.ID) + ".x", Data: []byte(`{}`)})
	})
}

func refusedSub(t *testing.T, m *hubtest.Member, what, subject string) {
	t.Helper()
	var sub *nats.Subscription
	refused(t, m, what, subject, func() (err error) {
		sub, err = m.NC.SubscribeSync(subject)
		return err
	})
	_ = sub.Unsubscribe()
}

// TestAuthorizationMatrix tries, with each member's own credentials, every
// forbidden action against every other member and the shared streams.
func TestAuthorizationMatrix(t *testing.T) {
	h := hubtest.StartHub(t)
	authorizationMatrix(t, connectAll(t, h))
}

// authorizationMatrix is TestAuthorizationMatrix on the demo MoU's members
// of a running hub.
func authorizationMatrix(t *testing.T, members map[string]*hubtest.Member) {
	ids := []string{}
	for _, m := range policy.DemoMoU().Members {
		ids = append(ids, m.ID)
	}
	shared := []string{wire.StreamShare, wire.StreamReceipt, wire.StreamAudit, wire.StreamReview}

	for _, id := range ids {
		m := members[id]
		t.Run(id, func(t *testing.T) {
			t.Run("allowed: own submit, inbox and receipts", func(t *testing.T) {
				ack := m.Submit(t, []byte(`{}`), wire.SubmitOptions{})
				require.Equal(t, wire.IntakeStream(id), ack.Stream)
				r := m.NextReceipt(t, 10*time.Second)
				require.Equal(t, policy.Reject, r.Verdict)
				m.NextShare(t, 10*time.Millisecond) // may pull; must not be refused
				require.Empty(t, m.Errors())
			})
			for _, other := range ids {
				if other == id {
					continue
				}
				t.Run("against "+other, func(t *testing.T) {
					refusedPub(t, m, "submit as another", wire.SubmitSubject(other))
					refusedPub(t, m, "pull another's inbox", "$JS.API.CONSUMER.MSG.NEXT."+wire.StreamShare+"."+wire.InboxConsumer(other))
					refusedPub(t, m, "pull another's receipts", "$JS.API.CONSUMER.MSG.NEXT."+wire.StreamReceipt+"."+wire.ReceiptConsumer(other))
					refusedPub(t, m, "pull another's real-time subscription", "$JS.API.CONSUMER.MSG.NEXT."+wire.StreamShare+".sub_"+other+"_X")
					refusedPub(t, m, "read another's consumer info", "$JS.API.CONSUMER.INFO."+wire.StreamShare+"."+wire.InboxConsumer(other))
					refusedPub(t, m, "delete another's consumer", "$JS.API.CONSUMER.DELETE."+wire.StreamShare+"."+wire.InboxConsumer(other))
					refusedPub(t, m, "ack for another", "$JS.ACK."+wire.StreamShare+"."+wire.InboxConsumer(other)+".1.1.1.1.0")
					refusedPub(t, m, "subscribe on another's behalf", wire.SubscribeService(other))
					refusedPub(t, m, "view another's receipts", wire.ReceiptsService(other))
					refusedPub(t, m, "read or close another's requests", wire.RequestsService(other))
					refusedPub(t, m, "ask another's MoU service", wire.MoUService(other))
					// Whatever memberReach adds for the other member and
					// not for this one, a new service included.
					for _, subj := range hub.MemberPublishSubjects(other) {
						if !slices.Contains(hub.MemberPublishSubjects(id), subj) && !strings.HasSuffix(subj, ".>") {
							refusedPub(t, m, "reach another's subject", subj)
						}
					}
					refusedPub(t, m, "write a request's state", "$KV."+wire.BucketRequests+".geneva-request--00000000-0000-4000-8000-000000000000."+other)
					refusedPub(t, m, "read the request states", "$JS.API.STREAM.MSG.GET.KV_"+wire.BucketRequests)
					refusedPub(t, m, "purge another's intake", "$JS.API.STREAM.PURGE."+wire.IntakeStream(other))
					refusedPub(t, m, "consume another's intake", "$JS.API.CONSUMER.CREATE."+wire.IntakeStream(other))
					refusedPub(t, m, "spoof a receipt", wire.ReceiptSubject(other))
					refusedSub(t, m, "read another's private inbox", wire.InboxPrefix(other)+".>")
					refusedSub(t, m, "read another's real-time deliveries", wire.DeliverPrefix(other)+".>")
					refusedSub(t, m, "read another's receipts", wire.ReceiptSubject(other))
					refusedSub(t, m, "read another's submissions", wire.SubmitSubject(other))
				})
			}
			t.Run("shared streams", func(t *testing.T) {
				for _, s := range shared {
					refusedPub(t, m, "create a consumer", "$JS.API.CONSUMER.CREATE."+s)
					refusedPub(t, m, "create a filtered consumer", "$JS.API.CONSUMER.CREATE."+s+".x.geneva.>")
					refusedPub(t, m, "create a durable", "$JS.API.CONSUMER.DURABLE.CREATE."+s+".x")
					refusedPub(t, m, "get a message", "$JS.API.STREAM.MSG.GET."+s)
					refusedPub(t, m, "direct get", "$JS.API.DIRECT.GET."+s)
					refusedPub(t, m, "purge", "$JS.API.STREAM.PURGE."+s)
					refusedPub(t, m, "delete", "$JS.API.STREAM.DELETE."+s)
				}
				refusedPub(t, m, "list streams", "$JS.API.STREAM.LIST")
				// The hub's KV bucket holds the submission-id key for worker nodes.
				refusedPub(t, m, "read the hub's key for worker nodes", "$JS.API.DIRECT.GET.KV_"+hub.BucketHub+".$KV."+hub.BucketHub+".secret")
				refusedPub(t, m, "get from the hub's bucket", "$JS.API.STREAM.MSG.GET.KV_"+hub.BucketHub)
				refusedSub(t, m, "watch the hub's bucket", "$KV."+hub.BucketHub+".>")
				refusedSub(t, m, "subscribe to the shared inbox prefix", "_INBOX.>")
				refusedSub(t, m, "subscribe to everything", ">")
				refusedSub(t, m, "read the audit", wire.SubjectAudit)
				refusedSub(t, m, "read every share", wire.SubjectShareAll)
				refusedSub(t, m, "read JetStream acks", "$JS.ACK.>")
				refusedPub(t, m, "write the audit", wire.SubjectAudit)
				refusedPub(t, m, "act as the reviewer", wire.SubjectReviewService)
				refusedPub(t, m, "publish a share directly", wire.ShareSubjectFrom("green", "all", id))
			})
			t.Run("the JetStream API refuses too", func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				_, err := m.JS.CreateConsumer(ctx, wire.StreamShare, jetstream.ConsumerConfig{FilterSubject: "geneva.>"})
				require.Error(t, err, "a consumer with filter geneva.> on GENEVA_SHARE")
			})
		})
	}

	t.Run("a chosen Nats-Msg-Id cannot suppress another's submission", func(t *testing.T) {
		a, b := members["bank-one"], members["isp-two"]
		ackA := a.Submit(t, []byte(`{}`), wire.SubmitOptions{MsgID: "next-id"})
		require.False(t, ackA.Duplicate)
		ackB := b.Submit(t, []byte(`{}`), wire.SubmitOptions{MsgID: "next-id"})
		require.False(t, ackB.Duplicate, "isp-two's submission was dropped as a duplicate of bank-one's")
		require.Equal(t, "next-id", a.NextReceipt(t, 10*time.Second).MsgID)
		require.Equal(t, "next-id", b.NextReceipt(t, 10*time.Second).MsgID)
	})
}

// TestReceiptsViewShowsOnlyOwnReceipts forges a receipts request body that
// names another member in every way it could: the view still holds only
// the requester's receipts, live and from history, and takes none of them.
func TestReceiptsViewShowsOnlyOwnReceipts(t *testing.T) {
	h := hubtest.StartHub(t)
	bank, alpha := h.Member(t, "bank-one"), h.Member(t, "le-alpha")
	forged := `{"session":"%s","start_seq":1,"member":"le-alpha","filter_subject":"geneva.receipt.le-alpha",` +
		`"filter_subjects":["geneva.receipt.>"],"deliver_subject":"geneva.deliver.le-alpha.x"}`
	view := func(session string) (*nats.Subscription, wire.SubscribeReply) {
		t.Helper()
		deliveries, err := bank.NC.SubscribeSync(wire.DeliverSubject("bank-one", session))
		require.NoError(t, err)
		resp, err := bank.NC.Request(wire.ReceiptsService("bank-one"), fmt.Appendf(nil, forged, session), 5*time.Second)
		require.NoError(t, err)
		var reply wire.SubscribeReply
		require.NoError(t, json.Unmarshal(resp.Data, &reply))
		require.Empty(t, reply.Error)
		require.Equal(t, wire.DeliverSubject("bank-one", session), reply.DeliverSubject)
		require.Equal(t, uint64(1), reply.StartSeq)
		return deliveries, reply
	}
	onlyBanks := func(deliveries *nats.Subscription) {
		t.Helper()
		m, err := deliveries.NextMsg(10 * time.Second)
		require.NoError(t, err)
		require.Equal(t, wire.ReceiptSubject("bank-one"), m.Subject)
		var r wire.Receipt
		require.NoError(t, json.Unmarshal(m.Data, &r))
		require.Equal(t, "bank-one", r.Member)
		_, err = deliveries.NextMsg(300 * time.Millisecond)
		require.ErrorIs(t, err, nats.ErrTimeout, "nothing of le-alpha's")
	}

	live, reply := view("live")
	require.Zero(t, reply.Pending, "no receipts yet")
	alpha.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	bank.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	alpha.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	alpha.NextReceipt(t, 10*time.Second)
	alpha.NextReceipt(t, 10*time.Second)
	onlyBanks(live)

	history, reply := view("history")
	require.Equal(t, uint64(1), reply.Pending, "only bank-one's one receipt of three")
	onlyBanks(history)
	require.Len(t, bank.Available(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one")), 1, "the views took nothing")

	t.Run("bad requests are refused with a reason", func(t *testing.T) {
		for body, want := range map[string]string{
			`{"session":"a.b"}`:               "receipts request: /session: want 1 to 64 of [A-Za-z0-9_-]",
			`{"session":"s","tlp":["green"]}`: "receipts request: /tlp: receipts have no TLP; leave it out",
		} {
			resp, err := bank.NC.Request(wire.ReceiptsService("bank-one"), []byte(body), 5*time.Second)
			require.NoError(t, err)
			var reply wire.SubscribeReply
			require.NoError(t, json.Unmarshal(resp.Data, &reply))
			require.Equal(t, want, reply.Error, body)
		}
	})
}
