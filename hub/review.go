package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// CodeReviewRejected is the reason code of a submission a person rejected
// at review.
const CodeReviewRejected policy.Code = "review.rejected"

// ReviewRequest is a hub operator's request on SubjectReviewService (only
// the operator's credentials may publish there). Actions: "list", "show",
// "approve", "reject".
type ReviewRequest struct {
	Action     string `json:"action"`
	Submission string `json:"submission_id,omitempty"` // for show, approve, reject
	Actor      string `json:"actor,omitempty"`         // who decides, for the audit (default "operator")
	Note       string `json:"note,omitempty"`          // why, for a rejection; goes to the sender's receipt
}

// ReviewItem is one held submission.
type ReviewItem struct {
	Submission string    `json:"submission_id"`
	Member     string    `json:"member"`
	Received   time.Time `json:"received"`
	To         []string  `json:"to,omitempty"`
	Community  string    `json:"community,omitempty"`
	Anonymous  bool      `json:"anonymous,omitempty"`
	Bytes      int       `json:"bytes"`
	Seq        uint64    `json:"seq"`          // in GENEVA_REVIEW
	Reasons    []string  `json:"reason_codes"` // why policy held it; nil if an older hub held it
}

// ReviewReply answers a ReviewRequest.
type ReviewReply struct {
	Items   []ReviewItem    `json:"items,omitempty"`   // list, show
	Bundle  json.RawMessage `json:"bundle,omitempty"`  // show
	Receipt *wire.Receipt   `json:"receipt,omitempty"` // approve, reject: the receipt sent to the member
	Error   string          `json:"error,omitempty"`
}

func (h *Hub) serveReview(msg *nats.Msg) {
	ctx, cancel := context.WithTimeout(h.handlers, 30*time.Second)
	defer cancel()
	reply, err := h.review(ctx, msg.Data)
	if err != nil {
		reply = ReviewReply{Error: err.Error()}
	}
	b, _ := json.Marshal(reply)
	_ = msg.Respond(b)
}

func (h *Hub) review(ctx context.Context, data []byte) (ReviewReply, error) {
	var req ReviewRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return ReviewReply{}, fmt.Errorf("review request: %v", err)
	}
	if req.Actor == "" {
		req.Actor = wire.OperatorName
	}
	held, err := h.held(ctx)
	if err != nil {
		return ReviewReply{}, err
	}
	if req.Action == "list" {
		items := []ReviewItem{}
		for _, m := range held {
			items = append(items, reviewItem(m))
		}
		return ReviewReply{Items: items}, nil
	}
	i := slices.IndexFunc(held, func(m *jetstream.RawStreamMsg) bool { return m.Header.Get(wire.HeaderSubmission) == req.Submission })
	if i < 0 {
		return ReviewReply{}, fmt.Errorf("review request: /submission_id: %q is not waiting for review", req.Submission)
	}
	m := held[i]
	switch req.Action {
	case "show":
		return ReviewReply{Items: []ReviewItem{reviewItem(m)}, Bundle: json.RawMessage(m.Data)}, nil
	case "approve", "reject":
		r, err := h.settle(ctx, m, req)
		if err != nil {
			return ReviewReply{}, err
		}
		return ReviewReply{Receipt: r}, nil
	}
	return ReviewReply{}, fmt.Errorf("review request: /action: %q is not list, show, approve or reject", req.Action)
}

// held reads every submission waiting in GENEVA_REVIEW (a small stream).
func (h *Hub) held(ctx context.Context) ([]*jetstream.RawStreamMsg, error) {
	s, err := h.js.Stream(ctx, wire.StreamReview)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	st := s.CachedInfo().State
	var out []*jetstream.RawStreamMsg
	for seq := st.FirstSeq; st.Msgs > 0 && seq <= st.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("review: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

func reviewItem(m *jetstream.RawStreamMsg) ReviewItem {
	received, _ := time.Parse(time.RFC3339Nano, m.Header.Get(wire.HeaderReceived))
	return ReviewItem{Submission: m.Header.Get(wire.HeaderSubmission), Member: m.Header.Get(wire.HeaderMember),
		Received: received, To: wire.SplitList(m.Header.Get(wire.HeaderTo)), Community: m.Header.Get(wire.HeaderCommunity),
		Anonymous: m.Header.Get(wire.HeaderAnonymous) == "true", Bytes: len(m.Data), Seq: m.Sequence,
		Reasons: wire.SplitList(m.Header.Get(wire.HeaderReasonCodes))}
}

// settle decides a held submission again under the MoU in force and
// releases or rejects it: shares (approve), a second receipt to the
// sender, an audit record naming the reviewer, then the held copy is
// erased. Every output has its own deterministic id, so a retried action
// stores nothing twice.
func (h *Hub) settle(ctx context.Context, m *jetstream.RawStreamMsg, req ReviewRequest) (*wire.Receipt, error) {
	it := reviewItem(m)
	sub := decide.Submission{ID: it.Submission, Member: it.Member, MsgID: m.Header.Get(wire.HeaderSenderMsgID),
		Received: it.Received, Anonymous: it.Anonymous, To: it.To, Community: it.Community}
	d := h.worker.Decide(policy.Request{Sender: sub.Member, To: sub.To, Community: sub.Community,
		Anonymous: sub.Anonymous, Bundle: m.Data, Prior: h.prior})
	switch {
	case req.Action == "reject":
		d.Verdict = policy.Reject
		msg := "rejected at review by " + req.Actor
		if note := strings.TrimSpace(req.Note); note != "" {
			msg += ": " + note
		}
		d.Reasons = append(d.Reasons, policy.Reason{Code: CodeReviewRejected, Message: msg})
		for i := range d.Objects {
			d.Objects[i].Shared, d.Objects[i].Audience = false, nil
		}
	case d.Verdict == policy.Review:
		d.Verdict = policy.Accept
		if slices.ContainsFunc(d.Objects, func(o policy.ObjectDecision) bool { return !o.Shared }) {
			d.Verdict = policy.Partial
		}
	case d.Verdict == policy.Reject:
		return nil, fmt.Errorf("review: %s: the MoU in force now rejects it (%s); reject it instead",
			sub.ID, strings.Join(decide.ReasonCodes(&d), ", "))
	}
	r, err := h.worker.Emit(ctx, sub, &d, decide.Outcome{Stage: "review", Action: "review." + req.Action, Actor: req.Actor})
	if err != nil {
		return nil, err
	}
	s, err := h.js.Stream(ctx, wire.StreamReview)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	if err := s.SecureDeleteMsg(ctx, m.Sequence); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("review: erase the held copy: %w", err)
	}
	h.log.Info("reviewed", "submission", sub.ID, "member", sub.Member, "action", req.Action, "actor", req.Actor,
		"verdict", r.Verdict)
	return r, nil
}
