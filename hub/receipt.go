package hub

import (
	"time"

	"github.com/genevahub/geneva/policy"
)

// Receipt is the one answer to every submission, on
// geneva.receipt.<member> (JSON). Classified submissions get codes,
// pointers and the digest only: no object ids, nothing of the content.
type Receipt struct {
	Submission    string          `json:"submission_id"`
	Member        string          `json:"member"`               // the real sender, even if anonymous
	MsgID         string          `json:"msg_id,omitempty"`     // the sender's Nats-Msg-Id, to correlate
	Received      time.Time       `json:"received"`             // when the hub stored the submission
	Verdict       string          `json:"verdict"`              // accept, partial, reject, review
	PolicyVersion string          `json:"policy_version"`       // the MoU version that decided
	Digest        string          `json:"digest"`               // hex SHA-256 of the submitted bytes
	Anonymous     bool            `json:"anonymous,omitempty"`  // receivers saw the sender as anonymous
	Classified    bool            `json:"classified,omitempty"` // the content was erased from the hub
	Review        string          `json:"review,omitempty"`     // "review": the outcome of a person's review
	Reviewer      string          `json:"reviewer,omitempty"`   // who reviewed it
	Reasons       []policy.Reason `json:"reasons"`              // about the whole submission
	Objects       []ObjectReceipt `json:"objects"`              // per object: shared or not, and why
	Routes        []RouteReceipt  `json:"routes"`               // the audiences it went to
}

// ObjectReceipt is what happened to one object.
type ObjectReceipt struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Shared   bool            `json:"shared"`
	TLP      string          `json:"tlp"`
	Audience []string        `json:"audience"`
	Reasons  []policy.Reason `json:"reasons"`
}

// RouteReceipt is one audience the submission went to.
type RouteReceipt struct {
	TLP      string   `json:"tlp"`
	Scope    string   `json:"scope"`
	Audience []string `json:"audience"`
	Objects  int      `json:"objects"`
}

func newReceipt(sub submission, d *policy.Decision) *Receipt {
	r := &Receipt{
		Submission: sub.id, Member: sub.member, MsgID: sub.msgID, Received: sub.received,
		Verdict: d.Verdict.String(), PolicyVersion: d.PolicyVersion, Digest: d.Digest,
		Anonymous: sub.anonymous, Classified: d.Classified,
		Reasons: nonNilReasons(d.Reasons), Objects: []ObjectReceipt{}, Routes: []RouteReceipt{},
	}
	if d.Classified {
		// Codes and pointers only: object ids and types are content too.
		for _, o := range d.Objects {
			r.Reasons = append(r.Reasons, o.Reasons...)
		}
		return r
	}
	for _, o := range d.Objects {
		aud := o.Audience
		if aud == nil {
			aud = []string{}
		}
		r.Objects = append(r.Objects, ObjectReceipt{ID: o.ID, Type: o.Type, Shared: o.Shared,
			TLP: o.TLP.String(), Audience: aud, Reasons: nonNilReasons(o.Reasons)})
	}
	for _, rt := range d.Routes {
		r.Routes = append(r.Routes, RouteReceipt{TLP: rt.TLP.String(), Scope: rt.Scope,
			Audience: rt.Audience, Objects: len(rt.Objects)})
	}
	return r
}

func nonNilReasons(rs []policy.Reason) []policy.Reason {
	if rs == nil {
		return []policy.Reason{}
	}
	return rs
}
