// Package decide is the hub's decision pipeline: policy workers that read
// the members' intakes, have the policy engine decide each submission, and
// emit what it decided (shares, held copy, receipt, audit record) with
// deterministic ids; the prior-state index the engine compares against;
// and the MoU in force. The hub (package hub) and each worker node run it
// through a Host.
package decide

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/metrics"
	"github.com/genevahub/geneva/hub/quota"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jspull"
	"github.com/genevahub/geneva/policy"
)

// Lock order: Worker.mu is never held while taking hub.Hub.mu.

// Worker runs the policy workers: one Consume per member intake stream
// feeds a channel read by Host.Workers goroutines that decide and start
// publishing; each decision then completes (PubAcks, audit, ack) on its own
// goroutine, so up to maxInFlight decisions wait for their PubAcks at once. Several hub processes (or several
// worker pools) may share the durable "policy" consumers.
type Worker struct {
	host  Host
	ids   *submissionIDs
	audit *audit.Log
	quota *quota.Limiter // for submissions the gate did not admit (charge)
	marks *admissionMarks
	work  chan jetstream.Msg
	wg    sync.WaitGroup // the decision goroutines and the completions they start

	// inflight holds a slot per decided submission not yet acked (or
	// nakked): it bounds the async publishes outstanding, below the
	// JetStream context's PublishAsyncMaxPending.
	inflight chan struct{}

	mu        sync.Mutex
	consuming map[string]jetstream.ConsumeContext // by member
	stopped   bool
}

// Host is what the policy workers need from the process they run
// in: the hub itself, or a worker node (hub.RunWorkers).
type Host struct {
	ID      string // HeaderDecidedBy of the receipts this process stores
	JS      jetstream.JetStream
	Log     *slog.Logger
	Secret  []byte // keys submission ids; the same in every process
	Prior   *PriorIndex
	Metrics *metrics.Metrics
	Workers int
	MoU     func() *policy.MoU
	Engine  func() *policy.Engine
}

// NewWorker opens the audit log and starts host.Workers deciding
// goroutines; Follow gives them intakes to read, Stop ends them.
func NewWorker(ctx context.Context, host Host) (*Worker, error) {
	log, err := audit.Open(ctx, host.JS, wire.StreamAudit, wire.SubjectAudit)
	if err != nil {
		return nil, err
	}
	w := &Worker{host: host, ids: newSubmissionIDs(host.Secret), audit: log, quota: quota.NewLimiter(), marks: &admissionMarks{secret: host.Secret}, work: make(chan jetstream.Msg, host.Workers),
		inflight:  make(chan struct{}, max(maxInFlight, host.Workers)),
		consuming: map[string]jetstream.ConsumeContext{}}
	for range host.Workers {
		w.wg.Go(func() {
			for msg := range w.work {
				w.handle(msg)
			}
		})
	}
	return w, nil
}

// Follow starts consuming the intake of every member not yet followed.
// Suspended members keep being followed: what they submitted before the
// suspension is still decided (and rejected by policy if the MoU says so).
func (w *Worker) Follow(ctx context.Context, mou *policy.MoU) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return nil
	}
	for _, m := range mou.Members {
		if _, ok := w.consuming[m.ID]; ok {
			continue
		}
		c, err := w.host.JS.Consumer(ctx, wire.IntakeStream(m.ID), wire.ConsumerWorker)
		if err != nil {
			return fmt.Errorf("worker: intake of %s: %w", m.ID, err)
		}
		cc, err := c.Consume(func(msg jetstream.Msg) { w.work <- msg }, jspull.Consume(
			jetstream.PullMaxMessages(pullBatch(w.host.Workers)),
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
				if !errors.Is(err, jetstream.ErrNoHeartbeat) {
					w.host.Log.Warn("intake consumer", "member", m.ID, "err", err)
				}
			}))...)
		if err != nil {
			return fmt.Errorf("worker: consume intake of %s: %w", m.ID, err)
		}
		w.consuming[m.ID] = cc
	}
	return nil
}

// AckWait is how long an intake message delivered to a worker that never
// acks it (stopped, killed) waits before it is delivered again: the
// intake consumers' AckWait, and the bound on completing a decision.
const AckWait = 30 * time.Second

// maxInFlight bounds the submissions decided but not yet completed. Each
// has a receipt and one share per route (one per receiver if anonymous)
// outstanding, and the hub's JetStream context allows 4,000 async
// publishes before it stalls (nats.go's default).
const maxInFlight = 512

// pullBatch is how many intake messages one Consume asks for at a time:
// enough that the workers never wait for a pull round trip, few enough that
// pulled messages are decided well within AckWait.
func pullBatch(workers int) int { return max(4*workers, 256) }

// Stop takes no new work, lets every Consume hand over what it already
// pulled, then waits for the in-flight decisions. What was pulled but not
// acked is redelivered to the next worker.
func (w *Worker) Stop() {
	w.mu.Lock()
	w.stopped = true
	ccs := w.consuming
	w.consuming = nil
	w.mu.Unlock()
	for _, cc := range ccs {
		cc.Drain()
	}
	for _, cc := range ccs {
		<-cc.Closed()
	}
	close(w.work)
	w.wg.Wait()
}

// Submission is one intake message, as the worker reads it.
type Submission struct {
	ID        string // stable across redelivery
	Member    string
	MsgID     string
	Seq       uint64
	Received  time.Time
	Anonymous bool
	To        []string
	Community string
}

// submissionIDs makes opaque ids derived from (member, intake sequence):
// the same on every redelivery, restart and worker node, and they do not
// reveal the sender of an anonymous part. The HMACs are pooled: keying one
// costs more than using it.
type submissionIDs struct{ macs sync.Pool }

func newSubmissionIDs(secret []byte) *submissionIDs {
	return &submissionIDs{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

func (s *submissionIDs) id(member string, seq uint64) string {
	mac := s.macs.Get().(hash.Hash)
	defer s.macs.Put(mac)
	mac.Reset()
	var in [64]byte
	mac.Write(strconv.AppendUint(append(append(in[:0], member...), 0), seq, 10))
	var sum [sha256.Size]byte
	return "sub-" + hex.EncodeToString(mac.Sum(sum[:0])[:12])
}

// handle decides one intake message and starts publishing its outputs;
// the decision finishes (PubAcks, audit, erase, ack) on a goroutine of its
// own, so a worker goroutine is busy only while it computes and the number
// of submissions in flight is bounded by w.inflight, not by Host.Workers.
func (w *Worker) handle(msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		w.host.Log.Error("intake message without metadata", "err", err)
		return
	}
	member := wire.MemberOf(msg.Subject())
	hd := msg.Headers()
	sub := Submission{
		ID: w.ids.id(member, meta.Sequence.Stream), Member: member, Seq: meta.Sequence.Stream,
		MsgID: hd.Get(nats.MsgIdHdr), Received: meta.Timestamp.UTC(),
		Anonymous: hd.Get(wire.HeaderAnonymous) == "true", Community: hd.Get(wire.HeaderCommunity),
		To: wire.SplitList(hd.Get(wire.HeaderTo)),
	}
	start := time.Now()
	var d policy.Decision
	if code, why, over := w.charge(member, hd, len(msg.Data()), sub.Received); over {
		w.host.Metrics.QuotaRefusal(member, string(code))
		d = w.Refusal(member, msg.Data(), code, why)
	} else {
		d = w.Decide(policy.Request{Sender: member, To: sub.To, Community: sub.Community,
			Anonymous: sub.Anonymous, Bundle: msg.Data(), Prior: w.host.Prior})
	}
	w.inflight <- struct{}{}
	// Not the process's context: a decision in flight finishes when the
	// process stops (Stop waits for it), within the time its intake
	// message stays ours.
	ctx, cancel := context.WithTimeout(context.Background(), AckWait)
	em, err := w.StartEmit(sub, &d, intakeOutcome(msg, sub, &d))
	d.Release() // the parts are built: the parser's memory serves the next decision
	if err != nil {
		cancel()
		<-w.inflight
		w.retry(msg, sub, err)
		return
	}
	w.wg.Go(func() {
		defer func() { cancel(); <-w.inflight }()
		if err := w.complete(ctx, msg, em); err != nil {
			w.retry(msg, sub, err)
			return
		}
		w.host.Metrics.ObserveDecision(d.Verdict.String(), time.Since(start))
		// Debug: one line per submission is too dear at full rate; the
		// metrics and the audit log keep every decision.
		if w.host.Log.Enabled(ctx, slog.LevelDebug) { // spare building the codes when not logged
			w.host.Log.Debug("decided", "submission", sub.ID, "member", member, "verdict", d.Verdict.String(),
				"codes", ReasonCodes(&d), "routes", len(d.Routes), "took", time.Since(start))
		}
	})
}

// charge charges a submission the hub's gate did not admit against its
// member's quota: one the gate admitted was charged there.
func (w *Worker) charge(member string, hd nats.Header, size int, received time.Time) (policy.Code, string, bool) {
	if hd.Get(HeaderAdmitted) == w.marks.of(member) {
		return "", "", false
	}
	return w.quota.Admit(member, w.host.MoU().QuotaOf(member), size, received)
}

// retry leaves a submission whose outputs were not all stored unacked: it
// is redelivered and the deterministic ids make the outputs already stored
// harmless.
func (w *Worker) retry(msg jetstream.Msg, sub Submission, err error) {
	w.host.Log.Error("decision not delivered; will retry", "submission", sub.ID, "member", sub.Member, "err", err)
	_ = msg.NakWithDelay(time.Second)
}

// CodeHubFailure is the reason code of a submission the engine could not
// decide (a bug, never the sender's fault): it is rejected, fail closed,
// with a receipt, instead of crashing the hub on every redelivery.
const CodeHubFailure policy.Code = "hub.decide_failed"

// Decide has the engine in force decide req; an engine that panics
// rejects the submission with CodeHubFailure.
func (w *Worker) Decide(req policy.Request) (d policy.Decision) {
	defer func() {
		if p := recover(); p != nil {
			// The panic value may quote the submission: log that it happened, not what it said.
			w.host.Log.Error("policy engine panicked; submission rejected", "member", req.Sender, "panic_type", fmt.Sprintf("%T", p))
			sum := sha256.Sum256(req.Bundle)
			d = policy.Decision{Verdict: policy.Reject, Sender: req.Sender, Digest: hex.EncodeToString(sum[:]),
				PolicyVersion: w.host.MoU().Partnership.Version,
				Reasons:       []policy.Reason{{Code: CodeHubFailure, Message: "the hub could not decide this submission; nothing was shared"}}}
		}
	}()
	return w.host.Engine().Decide(req)
}

// intakeOutcome is how an intake decision is recorded: verdict Review
// holds a copy of the submission for a person (never classified content).
func intakeOutcome(msg jetstream.Msg, sub Submission, d *policy.Decision) Outcome {
	o := Outcome{}
	if d.Verdict == policy.Review && !d.Classified {
		m := nats.NewMsg(wire.ReviewSubject(sub.Member))
		m.Data = msg.Data()
		for k, v := range msg.Headers() {
			// JetStream's own headers (Nats-Expected-Stream, Nats-Rollup,
			// Nats-TTL, ...) are the sender's instructions to its intake:
			// on the review stream they would fail or act on every retry.
			if !strings.HasPrefix(strings.ToLower(k), "nats-") && k != HeaderAdmitted {
				m.Header[k] = v
			}
		}
		m.Header.Set(wire.HeaderSubmission, sub.ID)
		m.Header.Set(wire.HeaderMember, sub.Member)
		m.Header.Set(wire.HeaderReceived, sub.Received.Format(time.RFC3339Nano))
		m.Header.Set(wire.HeaderSenderMsgID, sub.MsgID)
		m.Header.Set(wire.HeaderReasonCodes, strings.Join(ReasonCodes(d), ","))
		o.Hold = m
	}
	return o
}

// complete finishes an intake decision whose outputs are being published
// and acks last: every PubAck of shares, held copy and receipt, the audit
// record, the secure erase of classified content, and only then the ack.
func (w *Worker) complete(ctx context.Context, msg jetstream.Msg, em *Emission) error {
	if _, err := em.Finish(ctx); err != nil {
		return err
	}
	if em.d.Classified {
		// Overwrite the stored bytes, not just drop the index entry.
		s, err := w.host.JS.Stream(ctx, wire.IntakeStream(em.sub.Member))
		if err != nil {
			return fmt.Errorf("erase classified submission: %w", err)
		}
		if err := s.SecureDeleteMsg(ctx, em.sub.Seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("erase classified submission: %w", err)
		}
	}
	return msg.Ack()
}

// Refusal is the decision for a submission refused for its quota: a
// rejection with the reason, a receipt and an audit record like any other.
func (w *Worker) Refusal(member string, bundle []byte, code policy.Code, why string) policy.Decision {
	sum := sha256.Sum256(bundle)
	return policy.Decision{Verdict: policy.Reject, Sender: member, Digest: hex.EncodeToString(sum[:]),
		PolicyVersion: w.host.MoU().Partnership.Version, Reasons: []policy.Reason{{Code: code, Message: why}}}
}

// Audit is the audit log the worker appends its decisions to.
func (w *Worker) Audit() *audit.Log { return w.audit }
