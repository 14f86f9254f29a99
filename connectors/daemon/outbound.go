package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/internal/retry"
	"github.com/genevahub/geneva/policy"
)

// readSource moves one source's envelopes through pre-flight into the
// spool, acknowledging each only once it is durable (or refused).
func (c *Connector) readSource(ctx context.Context, s namedSource) {
	failures := 0
	for {
		env, ack, err := s.src.Read(ctx)
		switch {
		case ctx.Err() != nil || errors.Is(err, connectors.ErrClosed):
			return
		case errors.Is(err, io.EOF):
			s.log.Info("source finished")
			return
		case err != nil:
			failures++
			s.log.Warn("read", "err", err)
			if !retry.Sleep(ctx, retry.Backoff(failures, 10*time.Second)) {
				return
			}
			continue
		}
		failures = 0
		outcome, ackErr := c.admit(ctx, s, env)
		c.metrics.SourceItems.WithLabelValues(s.name, outcome).Inc()
		if err := ack(ctx, ackErr); err != nil {
			s.log.Warn("ack", "ref", env.Ref, "err", err)
		}
	}
}

// admit pre-flights env and spools it; the error is what the source's ack
// gets: nil (durable), *RefusedError (never to be sent), other (retry).
func (c *Connector) admit(ctx context.Context, s namedSource, env connectors.Envelope) (string, error) {
	id := StableID(c.instance, s.name, env)
	log := s.log.With("id", id, "ref", env.Ref)
	// One parse serves the defaults and the decision (policy.Parsed); only
	// a body the defaults change is read again, as the bytes the hub gets.
	engine := c.preflight.engine()
	parsed := engine.Parse(env.Body)
	bundle, err := c.preflight.Prepare(env.Body, parsed.Document())
	if limit := c.SizeLimit(); err == nil && int64(len(bundle)) > limit {
		ref := connectors.TooLarge(int64(len(bundle)), limit)
		c.recordRefusal(log, s.name, id, env, ref)
		return "refused", ref
	}
	if err != nil {
		ref := &connectors.RefusedError{Reasons: []policy.Reason{{Code: policy.CodeSTIXSyntax, Message: err.Error()}}}
		c.recordRefusal(log, s.name, id, env, ref)
		return "refused", ref
	}
	if _, refused := c.preflight.check(engine, bundle, parsed); refused != nil {
		c.recordRefusal(log, s.name, id, env, refused)
		return "refused", refused
	}
	item := SpoolItem{ID: id, Source: s.name, Ref: env.Ref, Queued: time.Now().UTC(), Body: bundle}
	full := false
	for {
		dup, err := c.spool.Put(item)
		switch {
		case err == nil && dup:
			if full {
				c.metrics.Backpressure.Set(0)
			}
			log.Debug("duplicate: already spooled or sent")
			return "duplicate", nil
		case err == nil:
			if full {
				c.metrics.Backpressure.Set(0)
				log.Info("spool has room again")
			}
			log.Debug("spooled")
			return "spooled", nil
		case errors.Is(err, connectors.ErrSpoolFull):
			if !full {
				full = true
				c.metrics.SpoolFull.Inc()
				c.metrics.Backpressure.Set(1)
				log.Warn("spool full: holding the source back until the hub takes more", "err", err)
			}
			select {
			case <-ctx.Done():
				c.metrics.Backpressure.Set(0)
				return "nacked", ctx.Err()
			case <-c.spool.Changed():
			case <-time.After(time.Second):
			}
		default:
			log.Error("spool", "err", err)
			return "nacked", err
		}
	}
}

func (c *Connector) recordRefusal(log *slog.Logger, source, id string, env connectors.Envelope, ref *connectors.RefusedError) {
	codes := make([]string, 0, len(ref.Reasons))
	for _, r := range ref.Reasons {
		codes = append(codes, string(r.Code))
	}
	log.Info("pre-flight refused: not sent", "reasons", codes)
	reasons, _ := json.MarshalIndent(ref.Reasons, "", "  ")
	body := env.Body
	if ref.Reasons != nil && hasClassified(ref) {
		body = nil // classified text is not copied around: the source keeps the only copy
	}
	item := SpoolItem{ID: id, Source: source, Ref: env.Ref, Queued: time.Now().UTC(), Body: body}
	if body != nil && !json.Valid(body) {
		item.Body, item.Raw = nil, body
	}
	if err := c.spool.Refused(item, reasons); err != nil {
		log.Warn("record refusal", "err", err)
	}
}

func hasClassified(r *connectors.RefusedError) bool {
	for _, x := range r.Reasons {
		if strings.HasPrefix(string(x.Code), "classified.") {
			return true
		}
	}
	return false
}

// forward publishes the spool's items in order, each with its stable id
// as Nats-Msg-Id, and moves an item out of the queue only on PubAck. While
// the hub is away it retries with backoff. An item whose publish may have
// reached the hub without its PubAck coming back is in doubt: before it is
// sent again the hub is asked whether it has it (doubt.go).
func (c *Connector) forward(ctx context.Context) {
	failures := 0
	doubt := c.startingDoubt()
	for ctx.Err() == nil {
		it, ok, changed, err := c.spool.Next()
		if err != nil {
			c.log.Error("spool", "err", err)
			if !retry.Sleep(ctx, time.Second) {
				return
			}
			continue
		}
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
			continue
		}
		if limit := c.SizeLimit(); int64(len(it.Body)) > limit {
			c.deadLetter(it, connectors.TooLarge(int64(len(it.Body)), limit).Reasons[0].Message, failures)
			failures = 0
			continue
		}
		if doubt.of(it.ID) {
			stored, err := c.hubHas(ctx, it.ID, doubt.since)
			if err != nil {
				failures++
				if !c.backOff(ctx, it.ID, "cannot ask the hub whether it has a submission whose PubAck was lost; asking again", err, failures) {
					return
				}
				continue
			}
			if stored {
				c.sent(it, 0, true)
				failures, doubt = 0, inDoubt{}
				continue
			}
		}
		attempted := time.Now()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		res, err := c.hub.Submit(pctx, it.Body, member.SubmitOptions{To: c.cfg.Defaults.To, Community: c.cfg.Defaults.Community,
			Anonymous: c.cfg.Defaults.Anonymous, MsgID: it.ID, NoWait: true})
		cancel()
		if err != nil {
			failures++
			doubt = doubt.after(it.ID, attempted, err)
			if member.Permanent(err) {
				c.deadLetter(it, "the hub refused it: "+err.Error(), failures)
				failures = 0
				continue
			}
			if !c.backOff(ctx, it.ID, "hub did not take the submission; retrying", err, failures) {
				return
			}
			continue
		}
		failures, doubt = 0, inDoubt{}
		c.sent(it, res.Sequence, res.Duplicate)
	}
}

// backOff records that the head of the queue (id) is held up, logs why
// at the first failure and every twentieth, and waits before the next
// try; false if ctx ended first.
func (c *Connector) backOff(ctx context.Context, id, msg string, err error, failures int) bool {
	c.stuck.failed(id, err)
	if failures == 1 || failures%20 == 0 {
		c.log.Warn(msg, "id", id, "err", err, "attempt", failures)
	}
	return retry.Sleep(ctx, retry.Backoff(failures, 5*time.Second))
}

// sent moves the head of the queue to sent/ once the hub has it.
func (c *Connector) sent(it SpoolItem, seq uint64, duplicate bool) {
	c.stuck.moved()
	if err := c.spool.Sent(it.ID); err != nil {
		c.log.Error("spool", "err", err)
		return
	}
	c.metrics.Submitted.Inc()
	c.log.Info("submitted", "id", it.ID, "source", it.Source, "ref", it.Ref, "seq", seq, "duplicate", duplicate)
}

// deadLetter moves the head of the queue aside with its reason so the
// items behind it reach the hub.
func (c *Connector) deadLetter(it SpoolItem, reason string, attempts int) {
	c.stuck.moved()
	if err := c.spool.DeadLetter(it.ID, reason, attempts); err != nil {
		c.log.Error("spool", "err", err)
		return
	}
	c.metrics.DeadLetters.Inc()
	c.log.Error("the hub can never take this submission: moved to the dead-letter folder", "id", it.ID, "source", it.Source,
		"ref", it.Ref, "reason", reason, "folder", filepath.Join(c.spool.Dir(), "deadletter", OutboundQueue))
}
