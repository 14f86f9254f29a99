package main

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/crashtest"
)

// workload is a set of submissions prepared before the clock starts: each
// a one-indicator GREEN bundle whose indicator id says which one it is.
type workload struct {
	prefix  string
	bundles [][]byte
	index   map[string]int // indicator UUID → submission
}

func newWorkload(prefix string, n int) *workload {
	w := &workload{prefix: prefix, bundles: make([][]byte, n), index: make(map[string]int, n)}
	for i := range n {
		key := fmt.Sprintf("%s-%d", prefix, i)
		w.bundles[i] = crashtest.GreenBundle(key)
		w.index[crashtest.IndicatorID(key)[len(indicatorPrefix):]] = i
	}
	return w
}

const indicatorPrefix = "indicator--"

// which finds the submission a delivered part belongs to (-1 if none):
// both sides deliver bytes that hold the indicator id.
func (w *workload) which(data []byte) int {
	k := bytes.Index(data, []byte(indicatorPrefix))
	if k < 0 || k+len(indicatorPrefix)+36 > len(data) {
		return -1
	}
	i, ok := w.index[string(data[k+len(indicatorPrefix):k+len(indicatorPrefix)+36])]
	if !ok {
		return -1
	}
	return i
}

// startConsumers starts every receiver's consumer once, for the system's
// life: each part is acked, then handed to the current phase (consume).
// Not one Consume per phase: with member accounts (hop-acct), after a
// Consume was stopped and a new one started, every other part of the next
// phase came again only after the 30 s ack wait (docs/benchmarks.md).
func startConsumers(sys *system) (stop func(), err error) {
	var ccs []jetstream.ConsumeContext
	stop = func() {
		for _, cc := range ccs {
			cc.Stop()
		}
	}
	for _, r := range sys.receivers {
		c, err := r.js.Consumer(context.Background(), r.stream, r.consumer)
		if err != nil {
			stop()
			return nil, fmt.Errorf("%s %s: %w", sys.name, r.member, err)
		}
		cc, err := c.Consume(func(m jetstream.Msg) {
			at := time.Now()
			_ = m.Ack()
			if h := sys.onDelivery.Load(); h != nil {
				(*h)(m.Data(), at)
			}
		}, jetstream.PullMaxMessages(1000))
		if err != nil {
			stop()
			return nil, fmt.Errorf("%s %s: %w", sys.name, r.member, err)
		}
		ccs = append(ccs, cc)
	}
	return stop, nil
}

// consume hands every part delivered until stop to onDelivery, after its
// ack is sent, with the submission of w it belongs to (-1: unknown).
func consume(sys *system, w *workload, onDelivery func(i int, at time.Time)) (stop func()) {
	h := func(data []byte, at time.Time) { onDelivery(w.which(data), at) }
	sys.onDelivery.Store(&h)
	return func() { sys.onDelivery.Store(nil) }
}

// deliveries counts parts delivered and closes done at want.
type deliveries struct {
	got  atomic.Int64
	want int64
	done chan struct{}
}

func newDeliveries(want int) *deliveries {
	return &deliveries{want: int64(want), done: make(chan struct{})}
}

func (d *deliveries) add() {
	if d.got.Add(1) == d.want {
		close(d.done)
	}
}

func (d *deliveries) wait(timeout time.Duration) error {
	select {
	case <-d.done:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%d of %d deliveries after %v", d.got.Load(), d.want, timeout)
	}
}
