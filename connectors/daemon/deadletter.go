package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/deadletter"
	"github.com/genevahub/geneva/internal/retry"
	"github.com/genevahub/geneva/policy/tlp"
)

// deadLetterAfter is how many times a sink is offered one share before the
// share may be set aside as a dead letter (<spool>/deadletter/sink-<name>/).
// A share the sink refuses (RejectedError) goes then; any other failure
// goes once the sink takes the share queued behind it, so an outage (every
// share fails) never empties the inbox into dead letters.
const deadLetterAfter = 5

// replayScan is how often an idle sink looks for replayed dead letters.
const replayScan = 2 * time.Second

func isRejected(err error) bool {
	var r *connectors.RejectedError
	return errors.As(err, &r)
}

// deadLetterQueue names a sink's queue under <spool>/deadletter/.
func deadLetterQueue(sink string) string { return "sink-" + sink }

// pop takes the next queued share.
func (w *sinkWorker) pop() (queued, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return queued{}, false
	}
	q := w.queue[0]
	w.queue = w.queue[1:]
	return q, true
}

// probe offers the sink the first queued share it would write, once; if
// the sink takes it, it leaves the queue and is returned.
func (w *sinkWorker) probe(ctx context.Context) (queued, bool) {
	w.mu.Lock()
	var p queued
	found := false
	for _, q := range w.queue {
		if ReachPermits(q.d.level, w.reach, w.named) && q.d.json {
			p, found = q, true
			break
		}
	}
	w.mu.Unlock()
	if !found || w.try(ctx, p.d) != nil {
		return queued{}, false
	}
	w.mu.Lock()
	for i, q := range w.queue {
		if q.d == p.d {
			w.queue = append(w.queue[:i:i], w.queue[i+1:]...)
			break
		}
	}
	w.mu.Unlock()
	return p, true
}

func (w *sinkWorker) finish(q queued) {
	if q.d.done() {
		q.finished(q.d)
	}
}

// deadLetter sets the share aside and settles it; false if ctx ended before
// the letter was on disk (then nothing is acked and the hub redelivers).
func (w *sinkWorker) deadLetter(ctx context.Context, q queued, reason string, attempts int) bool {
	d := q.d
	m := deadletter.Message{Name: d.letter, Body: d.env.Body, Headers: map[string]string{
		wire.HeaderTLP: d.env.TLP, wire.HeaderSender: d.env.Member, wire.HeaderSubmission: d.env.Ref, "Geneva-Id": d.env.ID}}
	for failures := 0; ; failures++ {
		err := deadletter.Put(w.deadRoot, deadLetterQueue(w.name), m, reason, attempts, time.Now())
		if err == nil {
			break
		}
		w.log.Error("cannot write a dead letter; retrying", "seq", d.seq, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(failures, 30*time.Second)) {
			return false
		}
	}
	w.metrics.Deliveries.WithLabelValues(w.name, "dead_letter").Inc()
	w.log.Warn("dead letter: the sink could not take this share; moving on", "seq", d.seq, "submission", d.env.Ref,
		"attempts", attempts, "reason", reason, "file", deadletter.Letter{Queue: deadLetterQueue(w.name), Name: d.letter}.Path(w.deadRoot))
	w.finish(q)
	return true
}

// takeReplays queues what `geneva deadletter replay` handed back, once.
func (w *sinkWorker) takeReplays() {
	rs, err := deadletter.Replays(w.deadRoot, deadLetterQueue(w.name))
	if err != nil {
		w.log.Warn("cannot read replayed dead letters", "err", err)
		return
	}
	for _, r := range rs {
		w.mu.Lock()
		taken := w.replaying[r.Name]
		w.replaying[r.Name] = true
		w.mu.Unlock()
		if taken {
			continue
		}
		level, err := tlp.ParseLevel(r.Headers[wire.HeaderTLP])
		if err != nil {
			level = tlp.None // no TLP known: goes nowhere
		}
		d := &delivery{letter: r.Name, json: json.Valid(r.Body), level: level, pending: 1, env: connectors.Envelope{ID: r.Headers["Geneva-Id"],
			Member: r.Headers[wire.HeaderSender], TLP: r.Headers[wire.HeaderTLP], Ref: r.Headers[wire.HeaderSubmission], Body: r.Body}}
		w.log.Info("replaying a dead letter", "name", r.Name)
		w.enqueue(d, func(*delivery) {
			if err := r.Done(); err != nil {
				w.log.Warn("replayed dead letter settled but not removed", "name", r.Name, "err", err)
			}
			w.mu.Lock()
			delete(w.replaying, r.Name)
			w.mu.Unlock()
		})
	}
}

func shareLetter(seq uint64) string { return fmt.Sprintf("share-%d", seq) }
