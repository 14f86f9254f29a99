package decide

import (
	"context"
	"fmt"
	"log/slog"
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
// decides (a key nodes.<id> in the hub's KV bucket, hub.BucketHub):
// following them for nothing would cost every receipt one more delivery (≈ 4 % of the hub's CPU per
// submission, docs/benchmarks.md).

const nodeKeyPrefix = "nodes."

// RegisterNode says in the hub's bucket kv that node id decides from now
// on. Its value is the first GENEVA_RECEIPT sequence the node can store, so the
// hub reads from there. The returned func removes the key (a node that
// dies keeps it: the hub then just goes on reading).
func RegisterNode(ctx context.Context, kv jetstream.KeyValue, js jetstream.JetStream, id string) (func(), error) {
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

// FollowNodes builds the hub's prior-state index from the stored receipts
// and keeps it current with the receipts of worker nodes, if there are
// any (kv is the bucket they register in, RegisterNode): at once when a
// node is registered at start, or from the first receipt a node
// registering later can store. self is the hub's HeaderDecidedBy.
func (p *PriorIndex) FollowNodes(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, self string, log *slog.Logger) (stop func(), err error) {
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
	stopReading, err := p.Follow(ctx, js, self, 0, log)
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
		log.Info("worker node registered: following its receipts", "node", strings.TrimPrefix(e.Key(), nodeKeyPrefix), "from_seq", from)
		stopTail, err := p.Follow(ctx, js, self, from, log)
		if err != nil {
			log.Error("following worker nodes' receipts", "err", err)
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
