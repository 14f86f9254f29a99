package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jspull"
)

// The request tracker follows law-enforcement requests and their responses
// on GENEVA_SHARE (a durable consumer of the parts to named members at
// AMBER+STRICT and RED, which is where policy lets them travel), keeps the
// state of each request with each recipient in BucketRequests, appends
// every transition to the audit chain, and escalates: a request not
// acknowledged within the MoU's requests.acknowledge_within is re-sent to
// the recipient's part with its 24/7 desk named (HeaderEscalation), and the
// requester gets a STIX note saying so. One goroutine owns the states:
// parts, clock ticks and service calls are handled in turn. A part is
// acked after its state is stored, so a crash anywhere replays it, and a
// replay changes nothing (transitions are idempotent, audit appends and
// escalations carry stable message ids).
type requestTracker struct {
	h      *Hub
	kv     jetstream.KeyValue
	share  jetstream.Stream
	states map[string]*requests.State // by requests.Key
	now    func() time.Time
	cmds   chan func(context.Context)
}

// requestTickEvery is how often the tracker looks for overdue requests.
const requestTickEvery = 5 * time.Second

// requestFilters are the parts requests and responses travel in.
var requestFilters = []string{wire.ShareSubjectFrom("amber+strict", "m.*", "*"), wire.ShareSubjectFrom("red", "m.*", "*")}

func (h *Hub) startRequests(ctx context.Context) (stop func(), err error) {
	kv, err := h.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: wire.BucketRequests, Storage: jetstream.FileStorage,
		Description: "the state of each law-enforcement request with each recipient"})
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	share, err := h.js.Stream(ctx, wire.StreamShare)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	cons, err := share.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: wire.ConsumerRequests, FilterSubjects: requestFilters,
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 10 * time.Second, MaxDeliver: -1, Description: "the request tracker"})
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	t := &requestTracker{h: h, kv: kv, share: share, states: map[string]*requests.State{}, now: time.Now, cmds: make(chan func(context.Context))}
	if err := t.load(ctx); err != nil {
		return nil, err
	}
	iter, err := cons.Messages(jspull.Messages(jetstream.PullMaxMessages(64))...)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	msgs, done := make(chan jetstream.Msg), make(chan struct{})
	h.spawn(func() {
		for {
			m, err := iter.Next()
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			} else if err != nil {
				continue
			}
			select {
			case msgs <- m:
			case <-loopCtx.Done():
				return
			}
		}
	})
	h.spawn(func() { t.loop(loopCtx, msgs, done) })
	sub, err := h.nc.QueueSubscribe(wire.RequestsService("*"), "geneva-hub", h.serve("requests", t.serve))
	if err != nil {
		iter.Stop()
		cancel()
		<-done
		return nil, fmt.Errorf("requests service: %w", err)
	}
	h.requests = t
	return func() {
		_ = sub.Unsubscribe()
		iter.Stop()
		cancel()
		<-done
	}, nil
}

// load reads every stored state; an unreadable one is logged and left out.
func (t *requestTracker) load(ctx context.Context) error {
	keys, err := t.kv.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	for k := range keys.Keys() {
		e, err := t.kv.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("requests: %s: %w", k, err)
		}
		var s requests.State
		if err := json.Unmarshal(e.Value(), &s); err != nil || len(s.Transitions) == 0 {
			// One unreadable entry must not keep the hub from starting.
			t.h.log.Error("requests: skipping an unreadable state", "bucket", wire.BucketRequests, "key", k, "err", err)
			continue
		}
		t.states[k] = &s
	}
	return nil
}

func (t *requestTracker) loop(ctx context.Context, msgs <-chan jetstream.Msg, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(requestTickEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-msgs:
			if err := t.handle(ctx, m); err != nil {
				t.h.log.Error("requests: will retry", "subject", m.Subject(), "err", err)
				_ = m.NakWithDelay(time.Second)
				continue
			}
			_ = m.Ack()
		case <-tick.C:
			t.tick(ctx)
		case f := <-t.cmds:
			f(ctx)
		}
	}
}

// do runs f on the tracker's goroutine and waits for it.
func (t *requestTracker) do(ctx context.Context, f func(context.Context)) error {
	done := make(chan struct{})
	select {
	case t.cmds <- func(c context.Context) { f(c); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handle applies the requests and responses of one part.
func (t *requestTracker) handle(ctx context.Context, m jetstream.Msg) error {
	hd := m.Headers()
	sender, to := hd.Get(wire.HeaderSender), hd.Get(wire.HeaderAudience)
	if hd.Get(wire.HeaderEscalation) != "" || sender == wire.HubSender || sender == wire.AnonymousSender || strings.Contains(to, ",") {
		return nil
	}
	found, err := requests.Find(m.Data())
	if err != nil || len(found.Requests)+len(found.Responses) == 0 {
		return nil // not ours to judge: policy accepted it
	}
	meta, err := m.Metadata()
	if err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, hd.Get(wire.HeaderReceived))
	if err != nil {
		at = meta.Timestamp
	}
	for _, r := range found.Requests {
		key := requests.Key(r.ID, to)
		if err := t.change(ctx, key, func(s *requests.State) (bool, error) {
			if s.Request == "" {
				*s = requests.Sent(r, sender, to, hd.Get(wire.HeaderSubmission), meta.Sequence.Stream, hd.Get(wire.HeaderTLP), at, t.h.MoU().Requests.AckWithin())
				return true, nil
			}
			if s.Requester != sender {
				return false, nil // someone else's request id: policy's provenance rule keeps this from happening
			}
			return s.Update(r, at), nil
		}); err != nil {
			return err
		}
	}
	for _, r := range found.Responses {
		key := requests.Key(r.RequestRef, sender)
		s, ok := t.states[key]
		if !ok || s.Requester != to {
			t.h.log.Warn("requests: a response to no request of its audience", "from", sender, "to", to, "request", r.RequestRef)
			continue
		}
		if err := t.change(ctx, key, func(s *requests.State) (bool, error) { return s.Respond(r, sender, at) }); err != nil {
			return err
		}
	}
	return nil
}

// tick moves every state on to the tracker's clock, and forgets a closed
// request once the hub's retention has passed since it was closed (its
// transitions stay in the audit chain).
func (t *requestTracker) tick(ctx context.Context) {
	now := t.now()
	keep := time.Duration(t.h.cfg.Retention)
	for _, key := range slices.Sorted(maps.Keys(t.states)) {
		if s := t.states[key]; s.Phase == requests.Closed && now.Sub(s.Closed) > keep {
			if err := t.kv.Delete(ctx, key); err != nil {
				t.h.log.Error("requests: forget a closed request", "key", key, "err", err)
				continue
			}
			delete(t.states, key)
			continue
		}
		if next := t.states[key].Next(); next.IsZero() || now.Before(next) {
			continue
		}
		if err := t.change(ctx, key, func(s *requests.State) (bool, error) {
			changed, _ := s.Tick(now)
			return changed, nil
		}); err != nil {
			t.h.log.Error("requests: tick", "key", key, "err", err)
		}
	}
}

// change applies f to a copy of the state at key (a zero State when there
// is none), and when it changed: appends the new transitions to the audit
// chain, escalates if it was just escalated, stores it, and only then
// keeps it.
func (t *requestTracker) change(ctx context.Context, key string, f func(*requests.State) (bool, error)) error {
	var s requests.State
	if old, ok := t.states[key]; ok {
		s = *old
		s.Transitions = slices.Clone(old.Transitions)
	}
	before := len(s.Transitions)
	changed, err := f(&s)
	if err != nil || !changed {
		return err
	}
	for i := before; i < len(s.Transitions); i++ {
		if err := t.audit(ctx, &s, i); err != nil {
			return err
		}
		if s.Transitions[i].Event == "escalated" {
			if err := t.escalate(ctx, &s); err != nil {
				return err
			}
		}
	}
	data, err := json.Marshal(&s)
	if err != nil {
		return err
	}
	if _, err := t.kv.Put(ctx, key, data); err != nil {
		return fmt.Errorf("requests: store %s: %w", key, err)
	}
	t.states[key] = &s
	return nil
}

// audit appends transition i of s to the audit chain. The message id is
// the state's key and the transition's number, so a replay appends nothing.
func (t *requestTracker) audit(ctx context.Context, s *requests.State, i int) error {
	tr := s.Transitions[i]
	rec := audit.Record{Time: tr.At, Member: s.Requester, Submission: s.Submission, Reasons: []string{"request." + string(tr.To)},
		Routes:        []audit.Route{{TLP: s.TLP, Scope: "m." + s.Recipient, Audience: []string{s.Recipient}}},
		PolicyVersion: t.h.MoU().Partnership.Version, Action: "request." + tr.Event, Actor: tr.By}
	_, err := t.h.worker.Audit().Append(ctx, rec, fmt.Sprintf("request/%s/%d", s.Key(), i))
	return err
}

// escalate re-sends the request's part to the recipient with its 24/7 desk
// named, and tells the requester with a STIX note. Both carry stable
// message ids, so a replay within the dedup window sends nothing twice.
func (t *requestTracker) escalate(ctx context.Context, s *requests.State) error {
	mou := t.h.MoU()
	desk := "no 24/7 desk in the MoU"
	if mb, ok := mou.Member(s.Recipient); ok {
		desk = fmt.Sprintf("%s, %s, %s", mb.Contact.Desk, mb.Contact.Phone, mb.Contact.Email)
	}
	text := fmt.Sprintf("%s has not acknowledged %s request %s within %s; the hub re-sent it to its 24/7 desk: %s",
		s.Recipient, s.Kind, s.Request, mou.Requests.AckWithin(), desk)
	if raw, err := t.share.GetMsg(ctx, s.ShareSeq); err == nil {
		m := &nats.Msg{Subject: raw.Subject, Data: raw.Data, Header: nats.Header{}}
		for k, v := range raw.Header {
			if k != wire.HeaderArchive && k != wire.HeaderArchiveObjects && k != nats.MsgIdHdr {
				m.Header[k] = v
			}
		}
		m.Header.Set(wire.HeaderEscalation, "unacknowledged; 24/7 desk: "+desk)
		m.Header.Set(nats.MsgIdHdr, "escalate/"+s.Key())
		if _, err := t.h.js.PublishMsg(ctx, m); err != nil {
			return fmt.Errorf("requests: escalate %s: %w", s.Key(), err)
		}
	} else {
		t.h.log.Warn("requests: the request's part is gone; telling the requester only", "key", s.Key(), "err", err)
	}
	note, err := requests.EscalationNote(*s, text, t.now())
	if err != nil {
		return err
	}
	m := &nats.Msg{Subject: wire.ShareSubjectFrom(s.TLP, "m."+s.Requester, wire.HubSender), Data: note, Header: nats.Header{
		wire.HeaderSubmission: {s.Submission}, wire.HeaderSender: {wire.HubSender}, wire.HeaderTLP: {s.TLP}, wire.HeaderAudience: {s.Requester},
		wire.HeaderReceived: {t.now().UTC().Format(time.RFC3339Nano)}, wire.HeaderEscalation: {text}, nats.MsgIdHdr: {"escalate-note/" + s.Key()}}}
	if _, err := t.h.js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("requests: tell %s: %w", s.Requester, err)
	}
	return nil
}

func (t *requestTracker) serve(msg *nats.Msg) {
	member := wire.MemberOf(msg.Subject)
	var q wire.RequestsQuery
	reply := wire.RequestsReply{Requests: []requests.State{}}
	if err := json.Unmarshal(msg.Data, &q); err != nil {
		reply.Error = "requests query: " + err.Error()
	} else if q.Action != "list" && q.Request == "" {
		reply.Error = fmt.Sprintf("requests query: /request_id: required for %q", q.Action)
	} else {
		ctx, cancel := context.WithTimeout(t.h.handlers, 10*time.Second)
		defer cancel()
		if err := t.do(ctx, func(ctx context.Context) { reply = t.answer(ctx, member, q) }); err != nil {
			reply.Error = err.Error()
		}
	}
	b, _ := json.Marshal(reply)
	_ = msg.Respond(b)
}

// answer runs on the tracker's goroutine.
func (t *requestTracker) answer(ctx context.Context, member string, q wire.RequestsQuery) wire.RequestsReply {
	var mine []*requests.State
	for _, s := range t.states {
		if (s.Requester == member || s.Recipient == member) && (q.Request == "" || s.Request == q.Request) {
			mine = append(mine, s)
		}
	}
	slices.SortFunc(mine, func(a, b *requests.State) int {
		if c := a.Opened.Compare(b.Opened); c != 0 {
			return c
		}
		return strings.Compare(a.Key(), b.Key())
	})
	reply := wire.RequestsReply{Requests: []requests.State{}}
	switch q.Action {
	case "list", "show":
	case "close":
		now := t.now()
		for _, s := range mine {
			if err := t.change(ctx, s.Key(), func(s *requests.State) (bool, error) { return s.Close(member, now) }); err != nil {
				return wire.RequestsReply{Requests: []requests.State{}, Error: err.Error()}
			}
		}
		mine = mine[:0]
		for _, s := range t.states {
			if s.Request == q.Request && (s.Requester == member || s.Recipient == member) {
				mine = append(mine, s)
			}
		}
	default:
		return wire.RequestsReply{Requests: []requests.State{}, Error: fmt.Sprintf("requests query: /action: %q is not list, show or close", q.Action)}
	}
	if len(mine) == 0 && q.Request != "" {
		return wire.RequestsReply{Requests: []requests.State{}, Error: fmt.Sprintf("no request %s of member %s", q.Request, member)}
	}
	for _, s := range mine {
		reply.Requests = append(reply.Requests, *s)
	}
	return reply
}
