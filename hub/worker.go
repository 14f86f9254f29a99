package hub

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
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Lock order: worker.mu is never held while taking Hub.mu.

// worker runs the policy workers: one Consume per member intake stream
// feeds a channel read by Config.Workers goroutines that decide and start
// publishing; each decision then completes (PubAcks, audit, ack) on its own
// goroutine, so up to maxInFlight decisions wait for their PubAcks at once. Several hub processes (or several
// worker pools) may share the durable "policy" consumers.
type worker struct {
	host  workerHost
	ids   *submissionIDs
	audit *audit.Log
	quota *quotaLimiter // for submissions the gate did not admit (charge)
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

// workerHost is what the policy workers need from the process they run
// in: the hub itself, or a worker node (RunWorkers).
type workerHost struct {
	id      string // HeaderDecidedBy of the receipts this process stores
	js      jetstream.JetStream
	log     *slog.Logger
	secret  []byte // keys submission ids; the same in every process
	prior   *priorIndex
	metrics *metrics.Metrics
	workers int
	mou     func() *policy.MoU
	engine  func() *policy.Engine
}

func newWorker(ctx context.Context, host workerHost) (*worker, error) {
	log, err := audit.Open(ctx, host.js, wire.StreamAudit, wire.SubjectAudit)
	if err != nil {
		return nil, err
	}
	w := &worker{host: host, ids: newSubmissionIDs(host.secret), audit: log, quota: newQuotaLimiter(), marks: &admissionMarks{secret: host.secret}, work: make(chan jetstream.Msg, host.workers),
		inflight:  make(chan struct{}, max(maxInFlight, host.workers)),
		consuming: map[string]jetstream.ConsumeContext{}}
	for range host.workers {
		w.wg.Go(func() {
			for msg := range w.work {
				w.handle(msg)
			}
		})
	}
	return w, nil
}

// follow starts consuming the intake of every member not yet followed.
// Suspended members keep being followed: what they submitted before the
// suspension is still decided (and rejected by policy if the MoU says so).
func (w *worker) follow(ctx context.Context, mou *policy.MoU) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return nil
	}
	for _, m := range mou.Members {
		if _, ok := w.consuming[m.ID]; ok {
			continue
		}
		c, err := w.host.js.Consumer(ctx, wire.IntakeStream(m.ID), wire.ConsumerWorker)
		if err != nil {
			return fmt.Errorf("worker: intake of %s: %w", m.ID, err)
		}
		cc, err := c.Consume(func(msg jetstream.Msg) { w.work <- msg },
			jetstream.PullMaxMessages(pullBatch(w.host.workers)),
			jetstream.PullExpiry(pullExpiry), jetstream.PullHeartbeat(pullHeartbeat),
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
				if !errors.Is(err, jetstream.ErrNoHeartbeat) {
					w.host.log.Warn("intake consumer", "member", m.ID, "err", err)
				}
			}))
		if err != nil {
			return fmt.Errorf("worker: consume intake of %s: %w", m.ID, err)
		}
		w.consuming[m.ID] = cc
	}
	return nil
}

// maxInFlight bounds the submissions decided but not yet completed. Each
// has a receipt and one share per route (one per receiver if anonymous)
// outstanding, and the hub's JetStream context allows 4,000 async
// publishes before it stalls (nats.go's default).
const maxInFlight = 512

// pullBatch is how many intake messages one Consume asks for at a time:
// enough that the workers never wait for a pull round trip, few enough that
// pulled messages are decided well within workerAckWait.
func pullBatch(workers int) int { return max(4*workers, 256) }

// A consumer leader that loses its leadership (a partitioned NATS node)
// drops the pulls waiting on it without a word; the client re-pulls after
// two missed heartbeats. nats.go's default heartbeat of 15 s held a hub
// on the cut node 30 s after the cut; 2 s holds it 4 s. An idle pull
// costs a heartbeat every 2 s (TestHubOnCutNodeDecidesSoonAfterHealing).
const (
	pullExpiry    = 10 * time.Second
	pullHeartbeat = 2 * time.Second
)

// stop takes no new work, lets every Consume hand over what it already
// pulled, then waits for the in-flight decisions. What was pulled but not
// acked is redelivered to the next worker.
func (w *worker) stop() {
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

// submission is one intake message, as the worker reads it.
type submission struct {
	id        string // stable across redelivery
	member    string
	msgID     string
	seq       uint64
	received  time.Time
	anonymous bool
	to        []string
	community string
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
// of submissions in flight is bounded by w.inflight, not by Config.Workers.
func (w *worker) handle(msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		w.host.log.Error("intake message without metadata", "err", err)
		return
	}
	member := wire.MemberOf(msg.Subject())
	hd := msg.Headers()
	sub := submission{
		id: w.ids.id(member, meta.Sequence.Stream), member: member, seq: meta.Sequence.Stream,
		msgID: hd.Get(nats.MsgIdHdr), received: meta.Timestamp.UTC(),
		anonymous: hd.Get(wire.HeaderAnonymous) == "true", community: hd.Get(wire.HeaderCommunity),
		to: splitList(hd.Get(wire.HeaderTo)),
	}
	start := time.Now()
	var d policy.Decision
	if code, why, over := w.charge(member, hd, len(msg.Data()), sub.received); over {
		w.host.metrics.QuotaRefusal(member, string(code))
		d = refusal(w.host, member, msg.Data(), code, why)
	} else {
		d = w.decide(policy.Request{Sender: member, To: sub.to, Community: sub.community,
			Anonymous: sub.anonymous, Bundle: msg.Data(), Prior: w.host.prior})
	}
	w.inflight <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), workerAckWait)
	em, err := w.startEmit(sub, &d, intakeOutcome(msg, sub, &d))
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
		w.host.metrics.ObserveDecision(d.Verdict.String(), time.Since(start))
		// Debug: one line per submission is too dear at full rate; the
		// metrics and the audit log keep every decision.
		if w.host.log.Enabled(ctx, slog.LevelDebug) { // spare building the codes when not logged
			w.host.log.Debug("decided", "submission", sub.id, "member", member, "verdict", d.Verdict.String(),
				"codes", reasonCodes(&d), "routes", len(d.Routes), "took", time.Since(start))
		}
	})
}

// charge charges a submission the hub's gate did not admit against its
// member's quota: one the gate admitted was charged there.
func (w *worker) charge(member string, hd nats.Header, size int, received time.Time) (policy.Code, string, bool) {
	if hd.Get(HeaderAdmitted) == w.marks.of(member) {
		return "", "", false
	}
	return w.quota.admit(member, w.host.mou().QuotaOf(member), size, received)
}

// retry leaves a submission whose outputs were not all stored unacked: it
// is redelivered and the deterministic ids make the outputs already stored
// harmless.
func (w *worker) retry(msg jetstream.Msg, sub submission, err error) {
	w.host.log.Error("decision not delivered; will retry", "submission", sub.id, "member", sub.member, "err", err)
	_ = msg.NakWithDelay(time.Second)
}

// CodeHubFailure is the reason code of a submission the engine could not
// decide (a bug, never the sender's fault): it is rejected, fail closed,
// with a receipt, instead of crashing the hub on every redelivery.
const CodeHubFailure policy.Code = "hub.decide_failed"

func (w *worker) decide(req policy.Request) (d policy.Decision) {
	defer func() {
		if p := recover(); p != nil {
			// The panic value may quote the submission: log that it happened, not what it said.
			w.host.log.Error("policy engine panicked; submission rejected", "member", req.Sender, "panic_type", fmt.Sprintf("%T", p))
			sum := sha256.Sum256(req.Bundle)
			d = policy.Decision{Verdict: policy.Reject, Sender: req.Sender, Digest: hex.EncodeToString(sum[:]),
				PolicyVersion: w.host.mou().Partnership.Version,
				Reasons:       []policy.Reason{{Code: CodeHubFailure, Message: "the hub could not decide this submission; nothing was shared"}}}
		}
	}()
	return w.host.engine().Decide(req)
}

// intakeOutcome is how an intake decision is recorded: verdict Review
// holds a copy of the submission for a person (never classified content).
func intakeOutcome(msg jetstream.Msg, sub submission, d *policy.Decision) outcome {
	o := outcome{}
	if d.Verdict == policy.Review && !d.Classified {
		m := nats.NewMsg(wire.ReviewSubject(sub.member))
		m.Data = msg.Data()
		for k, v := range msg.Headers() {
			// JetStream's own headers (Nats-Expected-Stream, Nats-Rollup,
			// Nats-TTL, ...) are the sender's instructions to its intake:
			// on the review stream they would fail or act on every retry.
			if !strings.HasPrefix(strings.ToLower(k), "nats-") && k != HeaderAdmitted {
				m.Header[k] = v
			}
		}
		m.Header.Set(wire.HeaderSubmission, sub.id)
		m.Header.Set(wire.HeaderMember, sub.member)
		m.Header.Set(wire.HeaderReceived, sub.received.Format(time.RFC3339Nano))
		m.Header.Set(wire.HeaderSenderMsgID, sub.msgID)
		m.Header.Set(wire.HeaderReasonCodes, strings.Join(reasonCodes(d), ","))
		o.hold = m
	}
	return o
}

// complete finishes an intake decision whose outputs are being published
// and acks last: every PubAck of shares, held copy and receipt, the audit
// record, the secure erase of classified content, and only then the ack.
func (w *worker) complete(ctx context.Context, msg jetstream.Msg, em *emission) error {
	if _, err := em.finish(ctx); err != nil {
		return err
	}
	if em.d.Classified {
		// Overwrite the stored bytes, not just drop the index entry.
		s, err := w.host.js.Stream(ctx, wire.IntakeStream(em.sub.member))
		if err != nil {
			return fmt.Errorf("erase classified submission: %w", err)
		}
		if err := s.SecureDeleteMsg(ctx, em.sub.seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("erase classified submission: %w", err)
		}
	}
	return msg.Ack()
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
