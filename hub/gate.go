package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/quota"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// The submission gate: a member's account imports its submit subject
// from the hub's gateSubject, not from its intake stream, so every
// submission passes the hub's quota check before anything is stored.
// Within quota, the gate forwards it to the intake unchanged, with the
// member's reply subject: the PubAck still comes from JetStream once the
// submission is stored, so nothing accepted can be lost between the two.
// Over quota, the gate answers at once with a PubAck error naming the
// reason code, and nothing enters the durable pipeline: a flood costs
// the hub one core-NATS message per submission, not an intake write, a
// delivery, an ack, a receipt and an audit append on the one audit chain
// that every member's decisions wait for (docs/benchmarks.md "Floods and the submission gate").
//
// On a cluster every hub process runs the gate, and all take from one
// quota account per member (sharedquota.go).
//
// A refusal gets a receipt and an audit record too, but at most
// refusalRecords of them per member (a burst of 100, then one a second):
// a flood, however large, grows the receipt and audit streams by at most
// 86,500 records a member a day, and each recorded refusal counts the
// ones since the last that were answered only (every refusal is answered
// and counted in /metrics).

// gateSubject is where, in the hub account, member m's submissions arrive
// (the member publishes on SubmitSubject(m); its import maps it here).
func gateSubject(m string) string { return "geneva.gate." + m }

// GateSubject is gateSubject, for bench/hub's raw hops, whose intake
// stream takes the gate's place on the same subject.
func GateSubject(m string) string { return gateSubject(m) }

// HeaderAdmitted marks an intake message the gate admitted (package
// decide says what it buys).
const HeaderAdmitted = decide.HeaderAdmitted

// refusalRecords is how many refusals of one member get a receipt and an
// audit record: a burst, then a rate.
var refusalRecords = policy.Quota{SubmissionsPerSecond: 1, SubmissionBurst: 100, BytesPerDay: math.MaxInt}

// gate holds the hub's quota accounts: submissions charged, and refusals
// that get a receipt and an audit record.
type gate struct {
	quota    admitter          // a localQuota; on a cluster a sharedQuota (sharedquota.go)
	recorded admitter          // charged refusalRecords; likewise
	spawn    func(func()) bool // runs a sharedQuota's refills ahead (Hub.spawn)

	mu         sync.Mutex
	unrecorded map[string]int // refusals answered only since the member's last recorded one
}

func newGate() *gate {
	return &gate{quota: localQuota{quota.NewLimiter()}, recorded: localQuota{quota.NewLimiter()}, unrecorded: map[string]int{}}
}

// record says whether a refusal of member at t gets a receipt and an audit
// record, and how many before it since the last one did not.
func (g *gate) record(member string, t time.Time) (unrecorded int, ok bool) {
	code, _, err := g.recorded.charge(member, refusalRecords, 0, t)
	over := code != "" || err != nil // unreadable: answered only
	g.mu.Lock()
	defer g.mu.Unlock()
	if over {
		g.unrecorded[member]++
		return 0, false
	}
	unrecorded = g.unrecorded[member]
	delete(g.unrecorded, member)
	return unrecorded, true
}

// startGate serves every member's gateSubject, and relays the intake's
// PubAcks, until the returned subscriptions are drained. One subscription
// each: the gate's handler is a quota check and a publish, so one
// goroutine keeps up with more submissions than the server delivers.
func (h *Hub) startGate() ([]*nats.Subscription, error) {
	r := &relay{nc: h.nc, prefix: h.nc.NewInbox() + ".", waiting: map[string]relayed{}}
	acks, err := h.nc.Subscribe(r.prefix+"*", r.deliver)
	if err != nil {
		return nil, fmt.Errorf("submission gate: %w", err)
	}
	gate, err := h.nc.QueueSubscribe(gateSubject("*"), "geneva-hub", h.screen("submit", func(_ string, msg *nats.Msg) { h.admit(msg, r) }))
	if err != nil {
		_ = acks.Unsubscribe()
		return nil, fmt.Errorf("submission gate: %w", err)
	}
	return []*nats.Subscription{gate, acks}, nil
}

// admit forwards a submission within its member's quota to the intake, or
// refuses it with a PubAck error and, within refusalRecords, a receipt.
func (h *Hub) admit(msg *nats.Msg, r *relay) {
	member, _ := strings.CutPrefix(msg.Subject, gateSubject(""))
	now := time.Now()
	q := h.MoU().QuotaOf(member)
	code, why, err := h.gate.quota.charge(member, q, len(msg.Data), now)
	if err != nil {
		// No PubAck: the member's client times out and retries.
		h.log.Warn("submission gate: the member's quota could not be read", "member", member, "err", err)
		return
	}
	if code == "" {
		if msg.Header == nil {
			msg.Header = nats.Header{}
		}
		// The server's request info (a few hundred bytes of JSON) is for
		// the gate only: the intake would strip it again on storing.
		msg.Header.Del(server.ClientInfoHdr)
		msg.Header.Set(HeaderAdmitted, h.worker.AdmittedMark(member))
		if err := r.forward(wire.SubmitSubject(member), msg, now); err != nil {
			// No PubAck: the member's client times out and retries.
			h.log.Warn("submission gate: forwarding to the intake failed", "member", member, "err", err)
		}
		return
	}
	h.metrics.QuotaRefusal(member, string(code))
	if unrecorded, ok := h.gate.record(member, now); ok {
		recorded := why
		if unrecorded > 0 {
			recorded += fmt.Sprintf(" (and %d refusals since the last receipt, answered only in their PubAck)", unrecorded)
		}
		h.recordRefusal(member, msg, code, recorded, now)
	}
	if msg.Reply != "" {
		_ = msg.Respond(pubAckRefusal(code, why))
	}
}

// recordRefusal gives a refused submission its receipt and audit record.
// The receipt is published before the refusal is answered, so a member
// that has its answer finds the receipt in order after it.
func (h *Hub) recordRefusal(member string, msg *nats.Msg, code policy.Code, why string, now time.Time) {
	sub := decide.Submission{ID: refusalID(), Member: member, MsgID: msg.Header.Get(nats.MsgIdHdr), Received: now.UTC()}
	d := h.worker.Refusal(member, msg.Data, code, why)
	em, err := h.worker.StartEmit(sub, &d, decide.Outcome{NotStored: true})
	if err == nil {
		finish := func() {
			ctx, cancel := context.WithTimeout(h.handlers, workerAckWait)
			defer cancel()
			if _, err := em.Finish(ctx); err != nil {
				h.log.Warn("submission gate: the refusal's receipt or audit record was not stored", "member", member, "code", code, "err", err)
			}
		}
		if !h.spawn(finish) {
			finish() // the hub is stopping: no new goroutine, and the context ends soon
		}
		return
	}
	h.log.Warn("submission gate: the refusal's receipt was not stored", "member", member, "code", code, "err", err)
}

// relay passes the intake's PubAck on to the member who asked. The server
// lets no client publish with a member's _R_ reply subject, so the gate
// forwards with a reply of its own and answers the member from here.
type relay struct {
	nc     *nats.Conn
	prefix string

	mu        sync.Mutex
	next      uint64
	waiting   map[string]relayed // token → the member's reply
	lastSweep time.Time
}

type relayed struct {
	reply string
	at    time.Time
}

// relayTimeout is how long a forwarded submission's PubAck is waited for:
// beyond every client's publish timeout (a late PubAck reaches nobody).
const relayTimeout = time.Minute

func (r *relay) forward(subject string, msg *nats.Msg, now time.Time) error {
	if msg.Reply == "" {
		return r.nc.PublishMsg(&nats.Msg{Subject: subject, Header: msg.Header, Data: msg.Data})
	}
	r.mu.Lock()
	r.next++
	token := strconv.FormatUint(r.next, 36)
	r.waiting[token] = relayed{reply: msg.Reply, at: now}
	if now.Sub(r.lastSweep) > relayTimeout/4 {
		r.lastSweep = now
		for t, w := range r.waiting { // PubAcks that never came (the server restarted)
			if now.Sub(w.at) > relayTimeout {
				delete(r.waiting, t)
			}
		}
	}
	r.mu.Unlock()
	return r.nc.PublishMsg(&nats.Msg{Subject: subject, Reply: r.prefix + token, Header: msg.Header, Data: msg.Data})
}

func (r *relay) deliver(ack *nats.Msg) {
	token := strings.TrimPrefix(ack.Subject, r.prefix)
	r.mu.Lock()
	w, ok := r.waiting[token]
	delete(r.waiting, token)
	r.mu.Unlock()
	if ok {
		_ = r.nc.PublishMsg(&nats.Msg{Subject: w.reply, Header: ack.Header, Data: ack.Data})
	}
}

// pubAckRefusal is a JetStream PubAck carrying an error, which clients
// return from their publish as a *jetstream.APIError: code 429, the
// description led by the reason code.
func pubAckRefusal(code policy.Code, why string) []byte {
	type apiError struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	}
	b, _ := json.Marshal(struct {
		Type  string   `json:"type"`
		Error apiError `json:"error"`
	}{"io.nats.jetstream.api.v1.pub_ack_response", apiError{429, string(code) + ": " + why}})
	return b
}

// refusalID names a refused submission, which has no intake sequence to
// derive its id from: random, in the form of the other ids.
func refusalID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "sub-" + hex.EncodeToString(b[:])
}
