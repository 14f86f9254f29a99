package member

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy/tlp"
)

// SubscribeOptions choose what a subscription shows and where it starts.
// Empty filters match everything; a filter with several values matches any.
type SubscribeOptions struct {
	Types     []string  // STIX object types, e.g. "indicator"
	TLP       []string  // TLP levels: clear, green, amber, amber+strict, red
	From      []string  // sending member ids ("anonymous" for anonymous shares)
	Community []string  // only shares addressed to these communities
	Since     time.Time // start with shares received at or after this time
	All       bool      // start with the oldest share the hub keeps
	// Neither Since nor All: only shares from now on.

	// OnResume, if set, is called after the subscription had to ask for a
	// new viewer consumer (a reconnect, a hub restart, a lost delivery),
	// with the stream sequence it resumed from (0: from its start time).
	OnResume func(fromSeq uint64)
}

// liveness is how long a subscription waits without a message or a
// heartbeat (the hub sends one every 5s) before it asks for a new one.
const liveness = 15 * time.Second

// Subscription is a real-time view of what policy routes to the member. It
// reads a viewer consumer the hub creates for it, never the member's inbox,
// so it takes nothing from the member's connector. It survives reconnects
// and hub restarts: it remembers the stream sequence of the last share and
// resumes right after it, so no object is lost or repeated. Not safe for
// concurrent use.
type Subscription struct {
	c       *Client
	opts    SubscribeOptions
	started time.Time

	sub        *nats.Subscription
	msgs       chan *nats.Msg
	buffer     int
	reconnects chan string
	heard      time.Time

	lastSeq    uint64 // last GENEVA_SHARE sequence handled
	lastCSeq   uint64 // last delivery sequence of the current viewer consumer
	resumeFrom uint64 // where a new viewer consumer starts; 0: the original start
	broken     bool   // the current consumer missed something or went away
	pending    []Object
	skipped    []*SkippedError // shares it could not read, in order, after pending
	resumes    int
}

// SkippedError is Next reporting one share it could not read (not a STIX
// bundle, say). The subscription has moved past it: call Next again for
// the objects after it. Data is the share as the hub sent it.
type SkippedError struct {
	Share Object // the envelope: Seq, Submission, Sender, TLP, Scope, Received
	Data  []byte
	Err   error
}

func (e *SkippedError) Error() string {
	return fmt.Sprintf("share %d (submission %s from %s) skipped: %v", e.Share.Seq, e.Share.Submission, e.Share.Sender, e.Err)
}

func (e *SkippedError) Unwrap() error { return e.Err }

// Subscribe starts a subscription. An error here means the hub refused it
// or did not answer; later trouble (a hub restart) is handled inside Next.
func (c *Client) Subscribe(ctx context.Context, o SubscribeOptions) (*Subscription, error) {
	for _, l := range o.TLP {
		if _, err := tlp.ParseLevel(l); err != nil {
			return nil, fmt.Errorf("subscribe: tlp %q: %w", l, err)
		}
	}
	return c.subscribe(ctx, o, 4096)
}

// subscribe starts a subscription whose deliveries wait in a buffer of n:
// an overflow drops deliveries, which shows as a gap and is resumed.
func (c *Client) subscribe(ctx context.Context, o SubscribeOptions, n int) (*Subscription, error) {
	s := &Subscription{c: c, opts: o, started: time.Now(), reconnects: c.watchReconnects(), buffer: n}
	ctx, cancel := c.call(ctx)
	defer cancel()
	if err := s.open(ctx); err != nil {
		c.unwatchReconnects(s.reconnects)
		return nil, err
	}
	return s, nil
}

// Next returns the next object, waiting for it as long as ctx allows. While
// the hub is away it keeps asking for a new viewer consumer.
func (s *Subscription) Next(ctx context.Context) (Object, error) {
	for {
		if len(s.pending) > 0 {
			o := s.pending[0]
			s.pending = s.pending[1:]
			return o, nil
		}
		if len(s.skipped) > 0 {
			e := s.skipped[0]
			s.skipped = s.skipped[1:]
			return Object{}, e
		}
		if s.c.nc.IsClosed() {
			return Object{}, s.c.closedError("subscribe")
		}
		// What is still buffered came before any gap: take it first.
		if s.broken && len(s.msgs) == 0 {
			if err := s.reopen(ctx); err != nil {
				return Object{}, err
			}
			continue
		}
		idle := time.NewTimer(max(time.Until(s.heard.Add(liveness)), 0))
		select {
		case <-ctx.Done():
			idle.Stop()
			return Object{}, ctx.Err()
		case what := <-s.reconnects:
			// After a reconnect the consumer may be gone; after dropped
			// deliveries the stream must be read again from the gap.
			s.broken = s.broken || what == "reconnect" || s.dropped()
		case <-idle.C:
			s.broken = true
		case m := <-s.msgs:
			if err := s.handle(m); err != nil {
				idle.Stop()
				return Object{}, err
			}
		}
		idle.Stop()
	}
}

func (s *Subscription) dropped() bool {
	n, err := s.sub.Dropped()
	return err == nil && n > 0
}

// Resumes counts the viewer consumers asked for after the first one.
func (s *Subscription) Resumes() int { return s.resumes }

// Close ends the subscription; the hub drops its viewer consumer soon after.
func (s *Subscription) Close() error {
	s.c.unwatchReconnects(s.reconnects)
	if s.sub != nil {
		return s.sub.Unsubscribe()
	}
	return nil
}

// open asks the hub for a viewer consumer delivering to a fresh session
// subject, starting where this subscription is.
func (s *Subscription) open(ctx context.Context) error {
	started := time.Now()
	session := nuid.Next()
	msgs := make(chan *nats.Msg, s.buffer)
	sub, err := s.c.nc.ChanSubscribe(wire.DeliverSubject(s.c.member, session), msgs)
	if err != nil {
		return s.c.explain(ctx, "subscribe", started, err)
	}
	req := wire.SubscribeRequest{Session: session, TLP: levels(s.opts.TLP)}
	switch {
	case s.resumeFrom > 0:
		req.StartSeq = s.resumeFrom
	case s.opts.All:
		req.StartSeq = 1
	case !s.opts.Since.IsZero():
		req.Since = s.opts.Since
	case s.sub != nil:
		// Nothing seen yet and no heartbeat told us where the stream was:
		// new shares since we first asked.
		req.Since = s.started
	}
	reply, err := s.c.requestView(ctx, "subscribe", wire.SubscribeService(s.c.member), req, started)
	if err != nil {
		_ = sub.Unsubscribe()
		return err
	}
	if s.sub != nil {
		_ = s.sub.Unsubscribe()
		s.resumes++
	}
	s.sub, s.msgs, s.lastCSeq, s.broken, s.heard = sub, msgs, 0, false, time.Now()
	// Where the consumer started is where to resume if nothing comes
	// before it goes away: exact, unlike the start time.
	s.resumeFrom = max(s.resumeFrom, reply.StartSeq)
	return nil
}

// requestView asks service for a viewer consumer.
func (c *Client) requestView(ctx context.Context, what, service string, req wire.SubscribeRequest, started time.Time) (wire.SubscribeReply, error) {
	var reply wire.SubscribeReply
	body, _ := json.Marshal(req)
	resp, err := c.nc.RequestWithContext(ctx, service, body)
	if err != nil {
		return reply, c.explain(ctx, what, started, err)
	}
	if err := json.Unmarshal(resp.Data, &reply); err != nil {
		return reply, fmt.Errorf("%s: the hub's answer is not JSON: %w", what, err)
	}
	if reply.Error != "" {
		return reply, &RefusedError{What: what, Reason: reply.Error}
	}
	return reply, nil
}

// reopen retries open until it works, ctx ends, or the hub refuses.
func (s *Subscription) reopen(ctx context.Context) error {
	wait := 100 * time.Millisecond
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.open(attempt)
		cancel()
		var refused *RefusedError
		switch {
		case err == nil:
			if s.opts.OnResume != nil {
				s.opts.OnResume(s.resumeFrom)
			}
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &refused), errors.Is(err, ErrNotPermitted):
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.reconnects:
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// handle takes one delivery: a heartbeat or a share.
func (s *Subscription) handle(m *nats.Msg) error {
	if m.Sub != s.sub {
		return nil // from a consumer this subscription no longer reads
	}
	s.heard = time.Now()
	if m.Header.Get("Status") == "100" {
		s.heartbeat(m.Header)
		return nil
	}
	meta, err := m.Metadata()
	if err != nil {
		s.broken = true // not a JetStream delivery: start over from what we know
		return nil
	}
	if meta.Sequence.Stream <= s.lastSeq {
		return nil // already handled (a consumer restarted behind us)
	}
	if meta.Sequence.Consumer != s.lastCSeq+1 {
		s.broken = true // a delivery was lost: resume after the last one handled
		return nil
	}
	s.lastCSeq, s.lastSeq, s.resumeFrom = meta.Sequence.Consumer, meta.Sequence.Stream, meta.Sequence.Stream+1
	env := Object{Seq: meta.Sequence.Stream, Submission: m.Header.Get(wire.HeaderSubmission),
		Sender: m.Header.Get(wire.HeaderSender), TLP: m.Header.Get(wire.HeaderTLP), Scope: wire.ScopeOf(m.Subject)}
	env.Received, _ = time.Parse(time.RFC3339Nano, m.Header.Get(wire.HeaderReceived))
	if !s.wants(env) {
		return nil
	}
	objs, err := ShareObjects(env, m.Data)
	if err != nil {
		// One share that cannot be read must not end the subscription.
		s.skipped = append(s.skipped, &SkippedError{Share: env, Data: m.Data, Err: err})
		return nil
	}
	for _, o := range objs {
		if len(s.opts.Types) == 0 || slices.Contains(s.opts.Types, o.Type) {
			s.pending = append(s.pending, o)
		}
	}
	return nil
}

// heartbeat checks the consumer's own count against ours: more means a
// delivery was lost. Otherwise everything up to the stream position it
// reports has been seen, which is where to resume if nothing came yet.
func (s *Subscription) heartbeat(h nats.Header) {
	lastC, err1 := strconv.ParseUint(h.Get("Nats-Last-Consumer"), 10, 64)
	lastS, err2 := strconv.ParseUint(h.Get("Nats-Last-Stream"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	if lastC > s.lastCSeq {
		s.broken = true
		return
	}
	s.resumeFrom = max(s.resumeFrom, lastS+1)
}

func (s *Subscription) wants(env Object) bool {
	if len(s.opts.From) > 0 && !slices.Contains(s.opts.From, env.Sender) {
		return false
	}
	if len(s.opts.Community) > 0 && !slices.ContainsFunc(s.opts.Community, func(c string) bool { return env.Scope == "c."+c }) {
		return false
	}
	return true
}

// levels are the TLP filters as the wire carries them (Subscribe checked
// each).
func levels(names []string) []tlp.Level {
	var out []tlp.Level
	for _, n := range names {
		if l, err := tlp.ParseLevel(n); err == nil {
			out = append(out, l)
		}
	}
	return out
}
