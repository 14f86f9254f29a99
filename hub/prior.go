package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// priorIndex is what the hub has already shared, for the monotonic-marking
// rule: an in-memory map, rebuilt at start from GENEVA_RECEIPT (each receipt
// carries the real sender and every object's TLP and audience), so it costs
// no extra write per submission, and kept current from the receipts other
// processes store. It forgets what aged out of the receipts' retention. It
// is shared by the workers of one process.
type priorIndex struct {
	mu      sync.RWMutex
	objects map[string]policy.PriorObject
}

var _ policy.PriorState = (*priorIndex)(nil)

func newPriorIndex() *priorIndex { return &priorIndex{objects: map[string]policy.PriorObject{}} }

// Object implements policy.PriorState.
func (p *priorIndex) Object(id string) (policy.PriorObject, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	o, ok := p.objects[id]
	return o, ok
}

// record remembers the objects a receipt says were shared.
func (p *priorIndex) record(r *wire.Receipt) {
	if r.Verdict != policy.Accept && r.Verdict != policy.Partial {
		return // nothing went out (rejected, or waiting for review)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, o := range r.Objects {
		if !o.Shared || o.TLP == tlp.None { // a marking definition: nothing to compare
			continue
		}
		level := o.TLP
		have, ok := p.objects[o.ID]
		if !ok {
			have.Originator = r.Member
		}
		have.TLP = tlp.Max(have.TLP, level)
		for _, a := range o.Audience {
			if !slices.Contains(have.Audience, a) {
				have.Audience = append(have.Audience, a)
			}
		}
		slices.Sort(have.Audience)
		p.objects[o.ID] = have
	}
}

// follow reads the stored receipts in order from sequence from (0: from
// the first, and return only once caught up with the stream) and keeps
// reading the receipts that other processes store (worker nodes, or the
// hub and the other nodes when this is a node) until stop. Receipts that
// self stored are skipped: the worker records them as it decides.
func (p *priorIndex) follow(ctx context.Context, js jetstream.JetStream, self string, from uint64, log *slog.Logger) (stop func(), err error) {
	s, err := js.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	last := s.CachedInfo().State.LastSeq
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
		if m.Headers().Get(wire.HeaderDecidedBy) != self || self == "" {
			var r wire.Receipt
			if json.Unmarshal(m.Data(), &r) == nil {
				p.record(&r)
			}
		}
		if meta, err := m.Metadata(); err == nil && (meta.Sequence.Stream >= last || meta.NumPending == 0) {
			done()
		}
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) {
			log.Warn("prior state: following receipts", "err", err)
		}
	}))
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
