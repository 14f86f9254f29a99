package hub

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// The hub records its own decisions in its prior-state index as it makes
// them; only worker nodes' decisions reach it through GENEVA_RECEIPT. So
// the hub reads the receipts past its start only once a node has said it
// decides (a key nodes.<id> in BucketHub): following them for nothing
// would cost every receipt one more delivery (≈ 4 % of the hub's CPU per
// submission, docs/benchmarks.md).

const nodeKeyPrefix = "nodes."

// registerNode says in BucketHub that node id decides from now on. Its
// value is the first GENEVA_RECEIPT sequence the node can store, so the
// hub reads from there. The returned func removes the key (a node that
// dies keeps it: the hub then just goes on reading).
func registerNode(ctx context.Context, kv jetstream.KeyValue, js jetstream.JetStream, id string) (func(), error) {
	s, err := js.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return nil, fmt.Errorf("register worker node: %w", err)
	}
	from := s.CachedInfo().State.LastSeq + 1
	if _, err := kv.Put(ctx, nodeKeyPrefix+id, []byte(strconv.FormatUint(from, 10))); err != nil {
		return nil, fmt.Errorf("register worker node: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = kv.Delete(ctx, nodeKeyPrefix+id)
	}, nil
}

// followPrior builds the hub's prior-state index from the stored receipts
// and keeps it current with the receipts of worker nodes, if there are
// any: at once when a node is registered at start, or from the first
// receipt a node registering later can store.
func (h *Hub) followPrior(ctx context.Context) (stop func(), err error) {
	kv, err := h.js.KeyValue(ctx, BucketHub)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	watch, err := kv.Watch(ctx, nodeKeyPrefix+"*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	nodes := false
	for e := range watch.Updates() {
		if e == nil { // the initial values are all in
			break
		}
		nodes = true
	}
	stopReading, err := h.prior.follow(ctx, h.js, h.id, 0, h.log)
	if err != nil || nodes {
		_ = watch.Stop()
		return stopReading, err
	}
	stopReading() // built; read on only for nodes

	var mu sync.Mutex
	tail := func() {}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var e jetstream.KeyValueEntry
		select {
		case <-quit: // Stop does not close the updates channel
			return
		case e = <-watch.Updates():
		}
		if e == nil {
			return
		}
		from, err := strconv.ParseUint(string(e.Value()), 10, 64)
		if err != nil || from == 0 {
			from = 1 // unreadable: read everything again rather than miss a receipt
		}
		h.log.Info("worker node registered: following its receipts", "node", strings.TrimPrefix(e.Key(), nodeKeyPrefix), "from_seq", from)
		stopTail, err := h.prior.follow(ctx, h.js, h.id, from, h.log)
		if err != nil {
			h.log.Error("following worker nodes' receipts", "err", err)
			return
		}
		mu.Lock()
		tail = stopTail
		mu.Unlock()
	}()
	return func() {
		close(quit)
		_ = watch.Stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		tail()
	}, nil
}
