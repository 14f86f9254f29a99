package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/retry"
	"github.com/genevahub/geneva/policy/tlp"
)

// Lock order: Connector.inflightMu before sinkWorker.mu (never the other way).

// delivery is one share from the member's inbox on its way to every sink.
// It is acknowledged to the hub when the last sink has it.
type delivery struct {
	seq     uint64 // 0 for a replayed dead letter
	letter  string // its name as a dead letter
	json    bool   // the body is valid JSON (checked once for every sink)
	env     connectors.Envelope
	level   tlp.Level
	mu      sync.Mutex
	msg     member.Msg // the latest delivery of this share (acked at the end)
	pending int        // sinks still to accept it
}

// done records that one sink settled the share; true for the last one,
// which then has it remembered as settled and acked (finished).
func (d *delivery) done() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending--
	return d.pending == 0
}

// ack acknowledges the share's latest delivery to the hub.
func (d *delivery) ack() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.msg != nil {
		_ = d.msg.Ack()
	}
}

// deliver reads the member's durable inbox consumer and hands every share
// to every sink. A redelivery of a share still in flight (a slow sink
// outlived the ack wait) only refreshes the message to ack; one of a share
// already settled (its ack was lost) is acked again (settled.go).
func (c *Connector) deliver(ctx context.Context) {
	var (
		mu       sync.Mutex
		inflight = map[uint64]*delivery{}
		settled  = c.settled
	)
	finished := func(d *delivery) {
		mu.Lock()
		delete(inflight, d.seq)
		err := settled.add(d.seq)
		mu.Unlock()
		if err != nil {
			c.log.Warn("share settled but not remembered on disk: after a restart a redelivery would be written again", "seq", d.seq, "err", err)
		}
		d.ack() // once remembered: a redelivery after a lost ack finds it
	}
	// Keep in-flight shares from being redelivered while sinks retry.
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				mu.Lock()
				for _, d := range inflight {
					d.mu.Lock()
					_ = d.msg.InProgress()
					d.mu.Unlock()
				}
				mu.Unlock()
			}
		}
	})
	defer wg.Wait()
	c.hub.TakeInbox(ctx, 32, func(m member.Msg) {
		meta, err := m.Metadata()
		if err != nil {
			_ = m.Term()
			return
		}
		mu.Lock()
		// Its ack was lost (settled.go). Only a redelivery counts: a first
		// delivery with a remembered sequence is another share (the hub's
		// stream was recreated, its sequences start again).
		if meta.NumDelivered > 1 && settled.has(meta.Sequence.Stream) {
			mu.Unlock()
			_ = m.Ack()
			c.log.Info("share delivered again after its ack was lost; acked again, not written twice", "seq", meta.Sequence.Stream)
			return
		}
		if d, ok := inflight[meta.Sequence.Stream]; ok {
			d.mu.Lock()
			d.msg = m
			d.mu.Unlock()
			mu.Unlock()
			return
		}
		d := newDelivery(meta.Sequence.Stream, m, len(c.sinks))
		inflight[d.seq] = d
		mu.Unlock()
		c.log.Debug("share received", "seq", d.seq, "tlp", d.env.TLP, "sender", d.env.Member)
		for _, w := range c.sinks {
			w.enqueue(d, finished)
		}
	}, func(err error) { c.log.Warn("inbox not reachable; retrying", "err", err) })
}

func newDelivery(seq uint64, m member.Msg, sinks int) *delivery {
	h := m.Headers()
	level, err := tlp.ParseLevel(h.Get(wire.HeaderTLP))
	if err != nil {
		level = tlp.None // goes nowhere
	}
	id, valid := bundleID(m.Data())
	if id == "" {
		id = h.Get(wire.HeaderSubmission)
	}
	return &delivery{seq: seq, letter: shareLetter(seq), json: valid, msg: m, pending: sinks, level: level,
		env: connectors.Envelope{ID: id, Member: h.Get(wire.HeaderSender), TLP: h.Get(wire.HeaderTLP), Ref: h.Get(wire.HeaderSubmission), Body: m.Data()}}
}

// bundleID reads a delivered body once: its top-level "id" (a string, or
// "") and whether it is JSON at all (a share that is not goes to the dead
// letters without trying the sinks).
func bundleID(data []byte) (id string, valid bool) {
	var probe struct {
		ID string `json:"id"`
	}
	err := json.Unmarshal(data, &probe)
	var typeErr *json.UnmarshalTypeError
	return probe.ID, err == nil || errors.As(err, &typeErr)
}

// sinkWorker feeds one sink from its own queue, so a failing sink retries
// with backoff while the others go on.
type sinkWorker struct {
	name    string
	sink    connectors.Sink
	reach   Reach
	named   bool
	log     *slog.Logger
	metrics *Metrics

	deadRoot string // <spool dir>: dead letters and replays live under it

	mu        sync.Mutex
	queue     []queued
	replaying map[string]bool // replayed dead letters queued, by name
	wake      chan struct{}
}

type queued struct {
	d        *delivery
	finished func(*delivery)
}

func newSinkWorker(name string, s connectors.Sink, reach Reach, named bool, log *slog.Logger, m *Metrics, deadRoot string) *sinkWorker {
	return &sinkWorker{name: name, sink: s, reach: reach, named: named, log: log, metrics: m, deadRoot: deadRoot,
		replaying: map[string]bool{}, wake: make(chan struct{}, 1)}
}

func (w *sinkWorker) enqueue(d *delivery, finished func(*delivery)) {
	w.mu.Lock()
	w.queue = append(w.queue, queued{d, finished})
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *sinkWorker) run(ctx context.Context) {
	w.takeReplays()
	tick := time.NewTicker(replayScan)
	defer tick.Stop()
	for {
		q, ok := w.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			case <-tick.C:
				w.takeReplays()
			}
			continue
		}
		if !w.settle(ctx, q) {
			return // shutting down: not acked, the hub redelivers it
		}
	}
}

// settle delivers one share, retrying with backoff; false means ctx ended
// first. A share the sink cannot take does not hold up the ones behind it:
// see deadLetterAfter.
func (w *sinkWorker) settle(ctx context.Context, q queued) bool {
	d := q.d
	if !ReachPermits(d.level, w.reach, w.named) {
		w.metrics.Deliveries.WithLabelValues(w.name, "refused_tlp").Inc()
		w.log.Info("not written: TLP beyond the sink's reach", "tlp", d.level.String(), "reach", w.reach.String(),
			"seq", d.seq, "submission", d.env.Ref)
		w.finish(q)
		return true
	}
	if !d.json {
		return w.deadLetter(ctx, q, "not valid JSON; the sink was not tried", 0)
	}
	for attempt := 1; ; attempt++ {
		err := w.try(ctx, d)
		if err == nil {
			w.finish(q)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if attempt >= deadLetterAfter {
			if isRejected(err) {
				return w.deadLetter(ctx, q, err.Error(), attempt)
			}
			// Down, or failing on this share only? The next share decides.
			if p, ok := w.probe(ctx); ok {
				w.finish(p)
				return w.deadLetter(ctx, q, err.Error()+" (the share after it was written)", attempt)
			}
			if ctx.Err() != nil {
				return false
			}
		}
		w.metrics.Deliveries.WithLabelValues(w.name, "retry").Inc()
		wait := retry.Backoff(attempt-1, 30*time.Second)
		w.log.Warn("sink failed; retrying", "seq", d.seq, "err", err, "attempt", attempt, "in", wait)
		if !retry.Sleep(ctx, wait) {
			return false
		}
	}
}

// try hands the share to the sink once.
func (w *sinkWorker) try(ctx context.Context, d *delivery) error {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := w.sink.Write(wctx, d.env)
	cancel()
	if err == nil {
		w.metrics.Deliveries.WithLabelValues(w.name, "written").Inc()
		w.log.Debug("written", "seq", d.seq, "id", d.env.ID)
	}
	return err
}
