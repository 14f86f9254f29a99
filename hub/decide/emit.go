package decide

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Emitting a decision: its shares, held copy and receipt, then its audit
// record, each with a deterministic Nats-Msg-Id.

// Outcome says how Emit records a decision.
type Outcome struct {
	Stage  string    // "" for the intake decision, "review" for a review's outcome: its own message ids
	Action string    // audit action; default "decide"
	Actor  string    // audit actor; default "policy"
	Hold   *nats.Msg // the copy to hold in GENEVA_REVIEW (verdict Review)
	// NotStored: the submission was refused before it was stored (the
	// gate); its receipt says so (wire.HeaderNotStored).
	NotStored bool
}

// Emit publishes a decision's shares, held copy and receipt, waits for
// every PubAck, then appends the audit record. Every output has a
// deterministic Nats-Msg-Id, so emitting the same decision again (a
// redelivery, a retried review action) stores nothing twice.
func (w *Worker) Emit(ctx context.Context, sub Submission, d *policy.Decision, o Outcome) (*wire.Receipt, error) {
	em, err := w.StartEmit(sub, d, o)
	if err != nil {
		return nil, err
	}
	return em.Finish(ctx)
}

// Emission is a decision whose shares, held copy and receipt are being
// published; Finish completes it.
type Emission struct {
	w       *Worker
	sub     Submission
	d       *policy.Decision
	o       Outcome
	suffix  string
	receipt *wire.Receipt
	futures []jetstream.PubAckFuture
}

// StartEmit publishes a decision's shares, held copy and receipt
// asynchronously, each with its deterministic Nats-Msg-Id.
func (w *Worker) StartEmit(sub Submission, d *policy.Decision, o Outcome) (*Emission, error) {
	em := &Emission{w: w, sub: sub, d: d, o: o}
	if o.Stage != "" {
		em.suffix = "/" + o.Stage
	}
	if em.o.Action == "" {
		em.o.Action, em.o.Actor = "decide", "policy"
	}
	pub := func(m *nats.Msg, id string) error {
		f, err := w.host.JS.PublishMsgAsync(m, jetstream.WithMsgID(id))
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
				if err := pub(m, fmt.Sprintf("%s/share/%d/%d", sub.ID, i, k)); err != nil {
					return nil, err
				}
			}
		}
	}
	if o.Hold != nil {
		if err := pub(o.Hold, sub.ID+"/review"); err != nil {
			return nil, err
		}
	}
	receipt := newReceipt(sub, d)
	receipt.Review = o.Stage
	if o.Stage != "" {
		receipt.Reviewer = em.o.Actor
	}
	body, err := receipt.AppendJSON(make([]byte, 0, 1024))
	if err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	rm := &nats.Msg{Subject: wire.ReceiptSubject(sub.Member), Data: body, Header: nats.Header{
		wire.HeaderSubmission: {sub.ID}, wire.HeaderMember: {sub.Member}, wire.HeaderVerdict: {receipt.Verdict.String()},
		wire.HeaderDecidedBy: {w.host.ID},
	}}
	if o.NotStored {
		rm.Header.Set(wire.HeaderNotStored, "true")
	}
	if err := pub(rm, sub.ID+"/receipt"+em.suffix); err != nil {
		return nil, err
	}
	em.receipt = receipt
	return em, nil
}

// Finish waits for every PubAck of the Emission, then appends the audit
// record: the audit log never names an output that was not stored.
func (em *Emission) Finish(ctx context.Context) (*wire.Receipt, error) {
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
	rec.Action, rec.Actor = em.o.Action, em.o.Actor
	if em.o.Stage == "" {
		// A pure function of the submission, so a redelivery racing a slow
		// worker appends an identical record (see audit.Log.Append).
		rec.Time = em.sub.Received
	}
	if _, err := em.w.audit.Append(ctx, rec, em.sub.ID+"/audit"+em.suffix); err != nil {
		return nil, err
	}
	em.w.host.Prior.record(em.receipt, time.Now()) // just after the receipt was stored
	return em.receipt, nil
}

// shareMessages are the messages of one route. An anonymous part is sent
// once per receiver on its m.<member> subject with the sender token
// "anonymous": on a shared "all" subject the audience header (everyone but
// the sender) would name the sender, and the sender's own filter could not
// leave it out.
func shareMessages(sub Submission, rt policy.Route, part []byte) []*nats.Msg {
	received := sub.Received.Format(time.RFC3339Nano)
	mk := func(subject, sender string, audience []string, archive bool) *nats.Msg {
		// One map literal, sized once (nats.go headers are case-sensitive).
		h := nats.Header{
			wire.HeaderSubmission: {sub.ID}, wire.HeaderSender: {sender}, wire.HeaderTLP: {rt.TLP.String()},
			wire.HeaderAudience: {strings.Join(audience, ",")}, wire.HeaderReceived: {received},
		}
		if archive {
			h[wire.HeaderArchive] = []string{"true"}
			if len(rt.ArchiveObjects) != len(rt.Objects) {
				h[wire.HeaderArchiveObjects] = []string{joinInts(rt.ArchiveObjects)}
			}
		}
		return &nats.Msg{Subject: subject, Data: part, Header: h}
	}
	if !sub.Anonymous {
		return []*nats.Msg{mk(wire.ShareSubjectFrom(rt.TLP.String(), wire.RouteScope(rt, sub.Member), sub.Member), sub.Member, rt.Audience, rt.Archive)}
	}
	var out []*nats.Msg
	for k, a := range rt.Audience {
		// Only the first copy archives: the archive holds each object once.
		out = append(out, mk(wire.ShareSubjectFrom(rt.TLP.String(), "m."+a, wire.AnonymousSender), wire.AnonymousSender, []string{a}, rt.Archive && k == 0))
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

func auditRecord(sub Submission, d *policy.Decision) audit.Record {
	r := audit.Record{Member: sub.Member, Submission: sub.ID, Digest: d.Digest, Verdict: d.Verdict.String(),
		Reasons: ReasonCodes(d), PolicyVersion: d.PolicyVersion, Action: "decide", Actor: "policy",
		Routes: make([]audit.Route, 0, len(d.Routes))}
	for _, rt := range d.Routes {
		r.Routes = append(r.Routes, audit.Route{TLP: rt.TLP.String(), Scope: rt.Scope, Audience: rt.Audience})
	}
	return r
}

// ReasonCodes lists every reason code of the decision once, sorted.
func ReasonCodes(d *policy.Decision) []string {
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
