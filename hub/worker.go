package hub

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/metrics"
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
	audit *audit.Log
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
	log, err := audit.Open(ctx, host.js, StreamAudit, SubjectAudit)
	if err != nil {
		return nil, err
	}
	w := &worker{host: host, audit: log, work: make(chan jetstream.Msg, host.workers),
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
		c, err := w.host.js.Consumer(ctx, IntakeStream(m.ID), ConsumerWorker)
		if err != nil {
			return fmt.Errorf("worker: intake of %s: %w", m.ID, err)
		}
		cc, err := c.Consume(func(msg jetstream.Msg) { w.work <- msg },
			jetstream.PullMaxMessages(pullBatch(w.host.workers)),
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

// submissionID is an opaque id derived from (member, intake sequence): the
// same on every redelivery and restart, and it does not reveal the sender
// of an anonymous part.
func submissionID(secret []byte, member string, seq uint64) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(member + "\x00" + strconv.FormatUint(seq, 10)))
	return "sub-" + hex.EncodeToString(mac.Sum(nil)[:12])
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
	member, _ := strings.CutPrefix(msg.Subject(), "geneva.submit.")
	hd := msg.Headers()
	sub := submission{
		id: submissionID(w.host.secret, member, meta.Sequence.Stream), member: member, seq: meta.Sequence.Stream,
		msgID: hd.Get(nats.MsgIdHdr), received: meta.Timestamp.UTC(),
		anonymous: hd.Get(HeaderAnonymous) == "true", community: hd.Get(HeaderCommunity),
		to: splitList(hd.Get(HeaderTo)),
	}
	start := time.Now()
	d := w.decide(policy.Request{Sender: member, To: sub.to, Community: sub.community,
		Anonymous: sub.anonymous, Bundle: msg.Data(), Prior: w.host.prior})
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
		m := nats.NewMsg(ReviewSubject(sub.member))
		m.Data = msg.Data()
		for k, v := range msg.Headers() {
			m.Header[k] = v
		}
		m.Header.Set(HeaderSubmission, sub.id)
		m.Header.Set(HeaderMember, sub.member)
		m.Header.Set(HeaderReceived, sub.received.Format(time.RFC3339Nano))
		m.Header.Set(HeaderSenderMsgID, sub.msgID)
		m.Header.Set(HeaderReasonCodes, strings.Join(reasonCodes(d), ","))
		m.Header.Del(nats.MsgIdHdr)
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
		s, err := w.host.js.Stream(ctx, IntakeStream(em.sub.member))
		if err != nil {
			return fmt.Errorf("erase classified submission: %w", err)
		}
		if err := s.SecureDeleteMsg(ctx, em.sub.seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("erase classified submission: %w", err)
		}
	}
	return msg.Ack()
}

// outcome says how emit records a decision.
type outcome struct {
	stage  string    // "" for the intake decision, "review" for a review's outcome: its own message ids
	action string    // audit action; default "decide"
	actor  string    // audit actor; default "policy"
	hold   *nats.Msg // the copy to hold in GENEVA_REVIEW (verdict Review)
}

// emit publishes a decision's shares, held copy and receipt, waits for
// every PubAck, then appends the audit record. Every output has a
// deterministic Nats-Msg-Id, so emitting the same decision again (a
// redelivery, a retried review action) stores nothing twice.
func (w *worker) emit(ctx context.Context, sub submission, d *policy.Decision, o outcome) (*Receipt, error) {
	em, err := w.startEmit(sub, d, o)
	if err != nil {
		return nil, err
	}
	return em.finish(ctx)
}

// emission is a decision whose shares, held copy and receipt are being
// published; finish completes it.
type emission struct {
	w       *worker
	sub     submission
	d       *policy.Decision
	o       outcome
	suffix  string
	receipt *Receipt
	futures []jetstream.PubAckFuture
}

// startEmit publishes a decision's shares, held copy and receipt
// asynchronously, each with its deterministic Nats-Msg-Id.
func (w *worker) startEmit(sub submission, d *policy.Decision, o outcome) (*emission, error) {
	em := &emission{w: w, sub: sub, d: d, o: o}
	if o.stage != "" {
		em.suffix = "/" + o.stage
	}
	if em.o.action == "" {
		em.o.action, em.o.actor = "decide", "policy"
	}
	pub := func(m *nats.Msg, id string) error {
		f, err := w.host.js.PublishMsgAsync(m, jetstream.WithMsgID(id))
		if err != nil {
			return fmt.Errorf("publish %s: %w", m.Subject, err)
		}
		em.futures = append(em.futures, f)
		return nil
	}
	if d.Verdict == policy.Review || d.Verdict == policy.Reject {
		// Nothing is shared until a person approves (and a rejected
		// submission never is).
		d.Routes = nil
	}
	if !d.Classified {
		for i, rt := range d.Routes {
			part, err := d.Part(rt)
			if err != nil {
				return nil, err
			}
			for k, m := range shareMessages(sub, rt, part) {
				if err := pub(m, fmt.Sprintf("%s/share/%d/%d", sub.id, i, k)); err != nil {
					return nil, err
				}
			}
		}
	}
	if o.hold != nil {
		if err := pub(o.hold, sub.id+"/review"); err != nil {
			return nil, err
		}
	}
	receipt := newReceipt(sub, d)
	receipt.Review = o.stage
	if o.stage != "" {
		receipt.Reviewer = em.o.actor
	}
	body, err := receipt.AppendJSON(make([]byte, 0, 1024))
	if err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	rm := &nats.Msg{Subject: ReceiptSubject(sub.member), Data: body, Header: nats.Header{
		HeaderSubmission: {sub.id}, HeaderMember: {sub.member}, HeaderVerdict: {receipt.Verdict},
		HeaderDecidedBy: {w.host.id},
	}}
	if err := pub(rm, sub.id+"/receipt"+em.suffix); err != nil {
		return nil, err
	}
	em.receipt = receipt
	return em, nil
}

// finish waits for every PubAck of the emission, then appends the audit
// record: the audit log never names an output that was not stored.
func (em *emission) finish(ctx context.Context) (*Receipt, error) {
	for _, f := range em.futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return nil, fmt.Errorf("publish %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return nil, fmt.Errorf("publish %s: %w", f.Msg().Subject, ctx.Err())
		}
	}
	rec := auditRecord(em.sub, em.d)
	rec.Action, rec.Actor = em.o.action, em.o.actor
	if em.o.stage == "" {
		// A pure function of the submission, so a redelivery racing a slow
		// worker appends an identical record (see audit.Log.Append).
		rec.Time = em.sub.received
	}
	if _, err := em.w.audit.Append(ctx, rec, em.sub.id+"/audit"+em.suffix); err != nil {
		return nil, err
	}
	em.w.host.prior.record(em.receipt)
	return em.receipt, nil
}

// shareMessages are the messages of one route. An anonymous part is sent
// once per receiver on its m.<member> subject with the sender token
// "anonymous": on a shared "all" subject the audience header (everyone but
// the sender) would name the sender, and the sender's own filter could not
// leave it out.
func shareMessages(sub submission, rt policy.Route, part []byte) []*nats.Msg {
	received := sub.received.Format(time.RFC3339Nano)
	mk := func(subject, sender string, audience []string, archive bool) *nats.Msg {
		// One map literal, sized once (nats.go headers are case-sensitive).
		h := nats.Header{
			HeaderSubmission: {sub.id}, HeaderSender: {sender}, HeaderTLP: {rt.TLP.String()},
			HeaderAudience: {strings.Join(audience, ",")}, HeaderReceived: {received},
		}
		if archive {
			h[HeaderArchive] = []string{"true"}
			if len(rt.ArchiveObjects) != len(rt.Objects) {
				h[HeaderArchiveObjects] = []string{joinInts(rt.ArchiveObjects)}
			}
		}
		return &nats.Msg{Subject: subject, Data: part, Header: h}
	}
	if !sub.anonymous {
		return []*nats.Msg{mk(ShareSubjectFrom(rt.TLP.String(), rt.Scope, sub.member), sub.member, rt.Audience, rt.Archive)}
	}
	var out []*nats.Msg
	for k, a := range rt.Audience {
		// Only the first copy archives: the archive holds each object once.
		out = append(out, mk(ShareSubjectFrom(rt.TLP.String(), "m."+a, AnonymousSender), AnonymousSender, []string{a}, rt.Archive && k == 0))
	}
	return out
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func auditRecord(sub submission, d *policy.Decision) audit.Record {
	r := audit.Record{Member: sub.member, Submission: sub.id, Digest: d.Digest, Verdict: d.Verdict.String(),
		Reasons: reasonCodes(d), PolicyVersion: d.PolicyVersion, Action: "decide", Actor: "policy",
		Routes: []audit.Route{}}
	for _, rt := range d.Routes {
		r.Routes = append(r.Routes, audit.Route{TLP: rt.TLP.String(), Scope: rt.Scope, Audience: rt.Audience})
	}
	return r
}

// reasonCodes lists every reason code of the decision once, sorted.
func reasonCodes(d *policy.Decision) []string {
	var codes []string
	add := func(rs []policy.Reason) {
		for _, r := range rs {
			codes = append(codes, string(r.Code))
		}
	}
	add(d.Reasons)
	for _, o := range d.Objects {
		add(o.Reasons)
	}
	slices.Sort(codes)
	return slices.Compact(codes)
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
