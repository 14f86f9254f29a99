package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// priorIndex is what the hub has already shared, for the monotonic-marking
// rule: an in-memory map, rebuilt at start from GENEVA_RECEIPT (each receipt
// carries the real sender and every object's TLP and audience), so it costs
// no extra write per submission. It forgets what aged out of the receipts'
// retention. It is shared by the workers of one process.
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
func (p *priorIndex) record(r *Receipt) {
	if r.Verdict != policy.Accept.String() && r.Verdict != policy.Partial.String() {
		return // nothing went out (rejected, or waiting for review)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, o := range r.Objects {
		if !o.Shared {
			continue
		}
		level, err := tlp.ParseLevel(o.TLP)
		if err != nil {
			continue
		}
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

// rebuild reads every stored receipt in order.
func (p *priorIndex) rebuild(ctx context.Context, js jetstream.JetStream) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c, err := js.OrderedConsumer(ctx, StreamReceipt, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return fmt.Errorf("prior state: %w", err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("prior state: %w", err)
	}
	for left := info.NumPending; left > 0; {
		batch, err := c.Fetch(int(min(left, 1000)), jetstream.FetchMaxWait(10*time.Second))
		if err != nil {
			return fmt.Errorf("prior state: %w", err)
		}
		for m := range batch.Messages() {
			left--
			var r Receipt
			if json.Unmarshal(m.Data(), &r) == nil {
				p.record(&r)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("prior state: %w", err)
		}
	}
	return nil
}
