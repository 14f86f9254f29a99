package hub_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// hubState is what a member's reply-subject attack must not change: every
// stream's configuration and per-subject counts (but for the attacker's own
// submissions, receipts and their audit records), the durable consumers'
// configurations, and what every other member's consumers hold.
type hubState struct {
	streams   map[string]string // stream → config
	subjects  map[string]uint64 // stream subject → messages
	lastSeq   map[string]uint64 // stream → last sequence, for streams the attacker cannot legitimately write
	consumers map[string]string // stream/durable → config
	views     map[string]string // stream/consumer of another member → pending, ack pending, delivered
	audit     uint64
	receipts  uint64 // the attacker's receipts
}

func snapshot(t *testing.T, op *hubtest.Member, attacker string) hubState {
	t.Helper()
	s := hubState{streams: map[string]string{}, subjects: map[string]uint64{}, lastSeq: map[string]uint64{},
		consumers: map[string]string{}, views: map[string]string{}}
	c := ctx(t)
	own := map[string]bool{wire.IntakeStream(attacker): true, wire.StreamReceipt: true, wire.StreamAudit: true}
	for name := range op.JS.StreamNames(c).Name() {
		st, err := op.JS.Stream(c, name)
		require.NoError(t, err)
		info, err := st.Info(c, jetstream.WithSubjectFilter(">"))
		require.NoError(t, err)
		cfg, _ := json.Marshal(info.Config)
		s.streams[name] = string(cfg)
		if !own[name] && name != "KV_"+hub.BucketQuota {
			s.lastSeq[name] = info.State.LastSeq
		}
		if name == "KV_"+hub.BucketQuota { // the attacker's submissions take from its own accounts only (<account>.<member>)
			for subj := range info.State.Subjects {
				if !strings.HasSuffix(subj, "."+attacker) {
					m, err := st.GetLastMsgForSubject(c, subj)
					require.NoError(t, err)
					s.lastSeq[name+" "+subj] = m.Sequence
				}
			}
		}
		for subj, n := range info.State.Subjects {
			switch subj {
			case wire.SubjectAudit:
				s.audit = n
			case wire.ReceiptSubject(attacker):
				s.receipts = n
			case wire.SubmitSubject(attacker):
			default:
				s.subjects[name+" "+subj] = n
			}
		}
		for ci := range st.ListConsumers(c).Info() {
			if ci.Config.Durable != "" {
				cfg, _ := json.Marshal(ci.Config)
				s.consumers[name+"/"+ci.Name] = string(cfg)
			}
			if strings.HasSuffix(ci.Name, "_"+attacker) || strings.HasPrefix(ci.Name, "sub_") || ci.Config.Durable == "" ||
				name == wire.IntakeStream(attacker) || ci.Name == wire.ConsumerWorker || ci.Name == wire.ConsumerRequests {
				// The hub's own consumers move on their own (on a cluster the
				// requests tracker's delivered sequence caught up during the
				// attack); their configurations are compared above.
				continue
			}
			s.views[name+"/"+ci.Name] = fmt.Sprintf("pending=%d ack_pending=%d delivered=%d",
				ci.NumPending, ci.NumAckPending, ci.Delivered.Stream)
		}
	}
	return s
}

// settled waits until the hub has done everything the seeds started: its
// own consumers (deciding, the requests tracker) hold nothing pending or
// unacked, so no record of theirs lands after the snapshot (on a loaded
// cluster the requests tracker ran late).
func settled(t *testing.T, op *hubtest.Member) {
	t.Helper()
	hubtest.Eventually(t, 30*time.Second, func() error {
		c := ctx(t)
		for name := range op.JS.StreamNames(c).Name() {
			st, err := op.JS.Stream(c, name)
			if err != nil {
				return err
			}
			for ci := range st.ListConsumers(c).Info() {
				if ci.Name != wire.ConsumerWorker && ci.Name != wire.ConsumerRequests {
					continue
				}
				if ci.NumPending > 0 || ci.NumAckPending > 0 {
					return fmt.Errorf("%s/%s: %d pending, %d unacked", name, ci.Name, ci.NumPending, ci.NumAckPending)
				}
			}
		}
		return nil
	})
}

// replyTargets are the subjects an attacker would have the hub or
// JetStream "answer" on: every destructive JetStream API call on every
// stream and durable consumer, every key of the hub's bucket, and every
// hub and member subject it must not write.
func replyTargets(t *testing.T, op *hubtest.Member, attacker string, others []string) []string {
	t.Helper()
	c := ctx(t)
	var out []string
	for name := range op.JS.StreamNames(c).Name() {
		for _, api := range []string{"DELETE", "PURGE", "UPDATE", "SNAPSHOT", "MSG.DELETE"} {
			out = append(out, "$JS.API.STREAM."+api+"."+name)
		}
		st, err := op.JS.Stream(c, name)
		require.NoError(t, err)
		for cn := range st.ConsumerNames(c).Name() {
			out = append(out, "$JS.API.CONSUMER.DELETE."+name+"."+cn, "$JS.API.CONSUMER.CREATE."+name+"."+cn,
				"$JS.API.CONSUMER.PAUSE."+name+"."+cn)
		}
		out = append(out, "$JS.API.CONSUMER.CREATE."+name, "$JS.API.CONSUMER.DURABLE.CREATE."+name+".evil")
	}
	kv, err := op.JS.KeyValue(c, hub.BucketHub)
	require.NoError(t, err)
	keys, err := kv.Keys(c)
	require.NoError(t, err)
	for _, k := range keys {
		out = append(out, "$KV."+hub.BucketHub+"."+k)
	}
	out = append(out, "$KV."+hub.BucketHub+".evil", wire.SubjectAudit, wire.SubjectReviewService,
		wire.ShareSubjectFrom("green", "all.g000000000000", "cert-three"))
	for _, o := range others {
		out = append(out,
			wire.ShareSubjectFrom("red", "m."+o, "cert-three"), wire.ShareSubjectFrom("red", "m."+o, attacker),
			wire.ReceiptSubject(o), wire.ReviewSubject(o), wire.SubmitSubject(o),
			wire.DeliverSubject(o, "x"), wire.InboxPrefix(o)+".x")
	}
	return out
}

// TestReplySubjectsReachNothingElse is the reply-subject section of the
// authorization matrix: NATS does not check publish permissions on reply
// subjects, so every subject a member may publish to (its submissions, the
// next, info and ack APIs of its own consumers, including the 404/408
// status answers, and the hub's services) is sent with every destructive or
// forging reply subject. Afterwards nothing of the hub's state changed, no
// other member's view holds anything new, and the audit verifies.
func TestReplySubjectsReachNothingElse(t *testing.T) {
	h := hubtest.StartHub(t)
	replyAttack(t, connectAll(t, h), h.Member(t, wire.OperatorName))
}

// replyAttack is TestReplySubjectsReachNothingElse on members of a running
// hub, bank-one attacking, checked through op, the operator's connection.
func replyAttack(t *testing.T, members map[string]*hubtest.Member, op *hubtest.Member) {
	const attacker = "bank-one"
	a := members[attacker]
	var others []string
	for id := range members {
		if id != attacker {
			others = append(others, id)
		}
	}
	slices.Sort(others)

	// Give the attacker messages in its inbox and receipts, so that pulls
	// deliver real messages (with their headers) to the reply subject.
	for i, s := range []struct{ from, bundle string }{
		{"isp-two", "green-tlp2-to-all.json"}, {"cert-three", "green-tlp1-to-all.json"}, {"le-alpha", "clear-to-all.json"},
	} {
		members[s.from].Submit(t, caseBundle(t, s.bundle), wire.SubmitOptions{})
		require.NotEqual(t, policy.Reject, members[s.from].NextReceipt(t, 10*time.Second).Verdict, "seed %d", i)
	}
	for i := 0; i < 4; i++ {
		a.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	}
	// Ack subjects of delivered, unacked messages: acks with a reply answer.
	var ackSubjects []string
	for _, c := range []struct{ stream, consumer string }{
		{wire.StreamShare, wire.InboxConsumer(attacker)}, {wire.StreamReceipt, wire.ReceiptConsumer(attacker)},
	} {
		cons, err := a.JS.Consumer(ctx(t), c.stream, c.consumer)
		require.NoError(t, err)
		batch, err := cons.Fetch(2, jetstream.FetchMaxWait(10*time.Second))
		require.NoError(t, err)
		for m := range batch.Messages() {
			ackSubjects = append(ackSubjects, m.Reply())
		}
	}
	require.Len(t, ackSubjects, 4)

	// Other members listen on their private inboxes and deliver subjects.
	var watchers []*nats.Subscription
	for _, o := range others {
		for _, subj := range []string{wire.InboxPrefix(o) + ".>", wire.DeliverPrefix(o) + ".>"} {
			sub, err := members[o].NC.SubscribeSync(subj)
			require.NoError(t, err)
			watchers = append(watchers, sub)
		}
		require.NoError(t, members[o].NC.Flush())
	}

	settled(t, op)
	// Receipts and shares are stored before a decision's audit record:
	// the snapshot waits for all seven decisions' records, or a late one
	// would pass for a change the attack made.
	hubtest.Eventually(t, 30*time.Second, func() error {
		if n := snapshot(t, op, attacker); n.audit < 7 || n.receipts < 4 {
			return fmt.Errorf("%d audit records of 7 decisions, %d receipts of the attacker's 4", n.audit, n.receipts)
		}
		return nil
	})
	before := snapshot(t, op, attacker)
	require.NotZero(t, before.audit)
	targets := replyTargets(t, op, attacker, others)

	// Every subject the attacker may publish to, from the one list of them
	// (hub.MemberPublishSubjects), so a subject added there is attacked
	// too: acks through the ack subjects of messages it holds, pulls with
	// both status answers (404 now, 408 after 1 ms), anything else (the
	// hub's services, a new one included) with a session body.
	type channel struct{ name, subject, body string }
	var channels []channel
	for _, subj := range hub.MemberPublishSubjects(attacker) {
		switch {
		case strings.HasSuffix(subj, ".>"):
			n := 0
			for _, s := range ackSubjects {
				if strings.HasPrefix(s, strings.TrimSuffix(subj, ">")) {
					channels = append(channels, channel{"ack in progress", s, "+WPI"}, channel{"nak", s, "-NAK"},
						channel{"ack next", s, `+NXT {"batch":1}`})
					n++
				}
			}
			require.NotZero(t, n, "no message to ack under %s", subj)
		case strings.HasPrefix(subj, "$JS.API.CONSUMER.MSG.NEXT."):
			channels = append(channels, channel{"next", subj, `{"batch":1,"no_wait":true}`},
				channel{"next (408)", subj, `{"batch":1,"expires":1000000}`})
		case subj == wire.SubmitSubject(attacker):
			channels = append(channels, channel{"submit", subj, `{}`})
		default:
			channels = append(channels, channel{"request", subj, `{"session":"s1"}`})
		}
	}
	submits := 0
	for _, target := range targets {
		for _, c := range channels {
			require.NoError(t, a.NC.PublishMsg(&nats.Msg{Subject: c.subject, Reply: target, Data: []byte(c.body)}),
				"%s → %s", c.name, target)
			if c.name == "submit" {
				submits++
			}
		}
	}
	require.NoError(t, a.NC.Flush())

	// Every channel answers its own caller afterwards, so every forged
	// answer has been sent; the attacker's own submissions are decided.
	// A service answers in order, so each request here waits for the
	// forged ones before it: about 180 subscribe requests, each listing
	// and creating consumers, took 10 s under -race beside a CPU hog
	// (scripts/stress.sh), hence the bound of 2 minutes per request.
	const answerWithin = 2 * time.Minute
	var unanswered []string
	for _, c := range channels {
		if strings.HasPrefix(c.subject, "$JS.ACK.") || c.name == "next (408)" {
			continue
		}
		// Up to 2 minutes: on a cluster every one of the attack's subscribe
		// requests before it updates an R3 consumer, and a loaded machine
		// answers each channel's requests in order.
		if _, err := a.NC.Request(c.subject, []byte(c.body), answerWithin); err != nil {
			unanswered = append(unanswered, fmt.Sprintf("%s %s: %v", c.name, c.subject, err))
		} else if c.name == "submit" {
			submits++
		}
	}
	after := snapshot(t, op, attacker)
	deadline := time.Now().Add(30 * time.Second)
	// Audit records trail the receipts (the audit log writes in batches):
	// wait for both.
	for (after.receipts < before.receipts+uint64(submits) || after.audit < before.audit+uint64(submits)) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
		after = snapshot(t, op, attacker)
	}

	var changed []string
	diff := func(what string, b, a map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(b)) {
			if v, ok := a[k]; !ok {
				changed = append(changed, what+" "+k+" is gone")
			} else if v != b[k] {
				changed = append(changed, what+" "+k+" changed: "+b[k]+" → "+v)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(a)) {
			if _, ok := b[k]; !ok {
				changed = append(changed, what+" "+k+" is new")
			}
		}
	}
	str := func(m map[string]uint64) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	diff("stream", before.streams, after.streams)
	diff("subject", str(before.subjects), str(after.subjects))
	diff("last sequence of", str(before.lastSeq), str(after.lastSeq))
	diff("consumer", before.consumers, after.consumers)
	diff("view", before.views, after.views)
	require.Empty(t, changed, "the attack changed the hub")
	require.Empty(t, unanswered, "every channel still answers its caller")
	require.Equal(t, before.receipts+uint64(submits), after.receipts, "every submission of the attacker has its receipt")
	require.Equal(t, before.audit+uint64(submits), after.audit, "one audit record per submission, nothing else")
	res, err := audit.Verify(ctx(t), op.JS, wire.StreamAudit)
	require.NoError(t, err, "the audit verifies")
	require.Equal(t, after.audit, res.Records)

	for _, w := range watchers {
		m, err := w.NextMsg(10 * time.Millisecond)
		require.ErrorIs(t, err, nats.ErrTimeout, "another member received %v on %s", m, w.Subject)
	}
}
