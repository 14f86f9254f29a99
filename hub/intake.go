package hub

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// Intake streams keep limits retention, not work-queue retention: JetStream
// rebuilds its Nats-Msg-Id dedup state at restart from the messages still
// stored, so a submission acked and removed at once would be stored and
// decided again when its sender retries after a hub restart. Instead the
// hub trims what the policy workers have acked once it is older than the
// dedup window. Classified content does not wait: the worker erases it at
// once (SecureDeleteMsg).

// trimEvery is how often decided submissions are trimmed from the
// intakes: a quarter of their dedup window.
func trimEvery(window time.Duration) time.Duration { return window / 4 }

// startTrimming runs trimIntakes until the returned stop is called. Only
// the hub trims; worker nodes do not.
func (h *Hub) startTrimming(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	h.spawn(func() {
		defer close(done)
		h.trimIntakes(ctx)
	})
	return sync.OnceFunc(func() { cancel(); <-done })
}

// trimIntakes trims every member's intake until ctx is done.
func (h *Hub) trimIntakes(ctx context.Context) {
	window := time.Duration(h.cfg.IntakeDedupWindow)
	t := time.NewTicker(trimEvery(window))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, m := range h.MoU().Members {
			if err := h.trimIntake(ctx, m.ID, time.Now().Add(-window)); err != nil && ctx.Err() == nil {
				h.log.Warn("trim intake", "member", m.ID, "err", err)
			}
		}
	}
}

// trimIntake purges member m's intake messages that the workers have acked
// and that were stored before cutoff. Messages are stored in time order,
// so the first one to keep is found by bisection: a few lookups however
// long the intake is.
func (h *Hub) trimIntake(ctx context.Context, m string, cutoff time.Time) error {
	s, err := h.js.Stream(ctx, wire.IntakeStream(m))
	if err != nil {
		return err
	}
	c, err := s.Consumer(ctx, wire.ConsumerWorker)
	if err != nil {
		return err
	}
	ci, err := c.Info(ctx)
	if err != nil {
		return err
	}
	floor := ci.AckFloor.Stream // every message up to here is acked
	first := s.CachedInfo().State.FirstSeq
	// Every message below lo may go; the first message at or after hi stays.
	lo, hi := first, floor+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		msg, err := s.GetMsg(ctx, mid, jetstream.WithGetMsgSubject(wire.SubmitSubject(m))) // the next message from mid on
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
			hi = mid
		case err != nil:
			return err
		case msg.Sequence > floor || !msg.Time.Before(cutoff):
			hi = mid
		default:
			lo = msg.Sequence + 1
		}
	}
	if lo <= first {
		return nil
	}
	return s.Purge(ctx, jetstream.WithPurgeSequence(lo))
}
