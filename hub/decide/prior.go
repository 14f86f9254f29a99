package decide

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jspull"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// PriorIndex is what the hub has already shared, for the monotonic-marking
// rule: an in-memory map, rebuilt at start from GENEVA_RECEIPT (each receipt
// carries the real sender and every object's TLP and audience), so it costs
// no extra write per submission, and kept current from the receipts other
// processes store. It is shared by the workers of one process.
//
// It holds one entry per object shared within the receipts' retention, so
// it grows with what is shared, and it forgets an object once the last
// receipt that shared it has aged out of GENEVA_RECEIPT (its MaxAge, read
// in follow): what a restart, which rebuilds from the stored receipts,
// would forget too. Without that a long-running process kept every object
// ever shared (bench/soak's profiles, docs/benchmarks.md). An entry is
// small (about 100 bytes besides its id): the originator and the audience
// are shared among entries, since a partnership has few members and
// fewer distinct audiences.
type PriorIndex struct {
	mu        sync.RWMutex
	objects   map[string]priorEntry
	maxAge    time.Duration // GENEVA_RECEIPT's; 0: keep everything
	now       func() time.Time
	nextSweep time.Time
	names     map[string]string   // member ids, interned
	audiences map[string][]string // sorted audiences by their joined form, interned
}

// priorEntry is one object's prior state; seen is when the last receipt
// sharing it was stored (Unix seconds).
type priorEntry struct {
	originator string
	audience   []string // shared with other entries: never modified in place
	seen       int64
	tlp        tlp.Level
}

var _ policy.PriorState = (*PriorIndex)(nil)

func NewPriorIndex() *PriorIndex {
	return &PriorIndex{objects: map[string]priorEntry{}, now: time.Now,
		names: map[string]string{}, audiences: map[string][]string{}}
}

// Object implements policy.PriorState.
func (p *PriorIndex) Object(id string) (policy.PriorObject, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	e, ok := p.objects[id]
	return policy.PriorObject{Originator: e.originator, TLP: e.tlp, Audience: e.audience}, ok
}

// record remembers the objects a receipt stored at stored says were shared.
func (p *PriorIndex) record(r *wire.Receipt, stored time.Time) {
	if r.Verdict != policy.Accept && r.Verdict != policy.Partial {
		return // nothing went out (rejected, or waiting for review)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweepIfDue()
	for _, o := range r.Objects {
		if !o.Shared || o.TLP == tlp.None { // a marking definition: nothing to compare
			continue
		}
		level := o.TLP
		have, ok := p.objects[o.ID]
		if !ok {
			have.originator = p.intern(r.Member)
		}
		have.tlp = tlp.Max(have.tlp, level)
		have.audience = p.merge(have.audience, o.Audience)
		have.seen = max(have.seen, stored.Unix())
		p.objects[o.ID] = have
	}
}

// intern returns the index's copy of member id s.
func (p *PriorIndex) intern(s string) string {
	if v, ok := p.names[s]; ok {
		return v
	}
	s = strings.Clone(s) // not a slice of a whole decoded receipt
	p.names[s] = s
	return s
}

// merge returns the interned sorted union of have and add (have itself if
// add brings nothing new).
func (p *PriorIndex) merge(have, add []string) []string {
	var union []string
	for _, a := range add {
		if !slices.Contains(have, a) && !slices.Contains(union, a) {
			union = append(union, a)
		}
	}
	if len(union) == 0 && have != nil {
		return have
	}
	union = append(union, have...)
	slices.Sort(union)
	key := strings.Join(union, ",")
	if v, ok := p.audiences[key]; ok {
		return v
	}
	for i, m := range union {
		union[i] = p.intern(m)
	}
	p.audiences[key] = union
	return union
}

// sweepIfDue forgets the objects whose last receipt aged out, at most once
// per sixteenth of the retention (so an entry outlives its receipt by at
// most that much), and rebuilds the interned sets from what is left.
func (p *PriorIndex) sweepIfDue() {
	now := p.now()
	if p.maxAge <= 0 || now.Before(p.nextSweep) {
		return
	}
	p.nextSweep = now.Add(p.maxAge / 16)
	cutoff := now.Add(-p.maxAge).Unix()
	p.names, p.audiences = map[string]string{}, map[string][]string{}
	for id, e := range p.objects {
		if e.seen < cutoff {
			delete(p.objects, id)
			continue
		}
		p.names[e.originator] = e.originator
		for _, m := range e.audience {
			p.names[m] = m
		}
		p.audiences[strings.Join(e.audience, ",")] = e.audience
	}
}

// setMaxAge sets how long an object is remembered after its last receipt.
func (p *PriorIndex) setMaxAge(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxAge = d
}

// follow reads the stored receipts in order from sequence from (0: from
// the first, and return only once caught up with the stream) and keeps
// reading the receipts that other processes store (worker nodes, or the
// hub and the other nodes when this is a node) until stop. Receipts that
// self stored are skipped: the worker records them as it decides.
func (p *PriorIndex) Follow(ctx context.Context, js jetstream.JetStream, self string, from uint64, log *slog.Logger) (stop func(), err error) {
	s, err := js.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	info := s.CachedInfo()
	p.setMaxAge(info.Config.MaxAge)
	last := info.State.LastSeq
	caughtUp := make(chan struct{})
	done := sync.OnceFunc(func() { close(caughtUp) })
	cfg := jetstream.OrderedConsumerConfig{}
	if from > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	if last == 0 || from > 0 {
		done()
	}
	c, err := js.OrderedConsumer(ctx, wire.StreamReceipt, cfg)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		meta, err := m.Metadata()
		if m.Headers().Get(wire.HeaderDecidedBy) != self || self == "" {
			var r wire.Receipt
			if json.Unmarshal(m.Data(), &r) == nil {
				stored := time.Now()
				if err == nil {
					stored = meta.Timestamp
				}
				p.record(&r, stored)
			}
		}
		if err == nil && (meta.Sequence.Stream >= last || meta.NumPending == 0) {
			done()
		}
	}, jspull.Consume(jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) {
			log.Warn("prior state: following receipts", "err", err)
		}
	}))...)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	wait := time.NewTimer(5 * time.Minute)
	defer wait.Stop()
	select {
	case <-caughtUp:
		return cc.Stop, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-wait.C:
		err = errors.New("reading the stored receipts took over 5 minutes")
	}
	cc.Stop()
	return nil, fmt.Errorf("prior state: %w", err)
}
