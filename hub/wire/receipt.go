package wire

import (
	"strconv"
	"time"

	"github.com/genevahub/geneva/internal/jsonappend"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// Receipt is the one answer to every submission, on
// geneva.receipt.<member> (JSON). Classified submissions get codes,
// pointers and the digest only: no object ids, nothing of the content.
type Receipt struct {
	Submission    string          `json:"submission_id"`
	Member        string          `json:"member"`               // the real sender, even if anonymous
	MsgID         string          `json:"msg_id,omitempty"`     // the sender's Nats-Msg-Id, to correlate
	Received      time.Time       `json:"received"`             // when the hub stored the submission
	Verdict       policy.Verdict  `json:"verdict"`              // accept, partial, reject, review
	PolicyVersion string          `json:"policy_version"`       // the MoU version that decided
	Digest        string          `json:"digest"`               // hex SHA-256 of the submitted bytes
	Anonymous     bool            `json:"anonymous,omitempty"`  // receivers saw the sender as anonymous
	Classified    bool            `json:"classified,omitempty"` // the content was erased from the hub
	Refused       int             `json:"refused,omitempty"`    // classified: objects refused with it (no markings)
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
	TLP      tlp.Level       `json:"tlp"`
	Audience []string        `json:"audience"`
	Reasons  []policy.Reason `json:"reasons"`
}

// RouteReceipt is one audience the submission went to.
type RouteReceipt struct {
	TLP      tlp.Level `json:"tlp"`
	Scope    string    `json:"scope"`
	Audience []string  `json:"audience"`
	Objects  int       `json:"objects"`
}

// AppendJSON appends the receipt as json.Marshal writes it, byte for byte,
// without reflection: the worker encodes one receipt per submission.
func (r *Receipt) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"submission_id":`...)
	b = jsonappend.String(b, r.Submission)
	b = append(b, `,"member":`...)
	b = jsonappend.String(b, r.Member)
	if r.MsgID != "" {
		b = append(b, `,"msg_id":`...)
		b = jsonappend.String(b, r.MsgID)
	}
	b = append(b, `,"received":`...)
	b, err := jsonappend.Time(b, r.Received)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"verdict":`...)
	b = jsonappend.String(b, r.Verdict.String())
	b = append(b, `,"policy_version":`...)
	b = jsonappend.String(b, r.PolicyVersion)
	b = append(b, `,"digest":`...)
	b = jsonappend.String(b, r.Digest)
	if r.Anonymous {
		b = append(b, `,"anonymous":true`...)
	}
	if r.Classified {
		b = append(b, `,"classified":true`...)
	}
	if r.Refused != 0 {
		b = append(b, `,"refused":`...)
		b = strconv.AppendInt(b, int64(r.Refused), 10)
	}
	if r.Review != "" {
		b = append(b, `,"review":`...)
		b = jsonappend.String(b, r.Review)
	}
	if r.Reviewer != "" {
		b = append(b, `,"reviewer":`...)
		b = jsonappend.String(b, r.Reviewer)
	}
	b = append(b, `,"reasons":`...)
	b = appendJSONReasons(b, r.Reasons)
	b = append(b, `,"objects":`...)
	b = jsonappend.Array(b, r.Objects, func(b []byte, o ObjectReceipt) []byte {
		b = append(b, `{"id":`...)
		b = jsonappend.String(b, o.ID)
		b = append(b, `,"type":`...)
		b = jsonappend.String(b, o.Type)
		b = append(b, `,"shared":`...)
		b = strconv.AppendBool(b, o.Shared)
		b = append(b, `,"tlp":`...)
		b = jsonappend.String(b, o.TLP.String())
		b = append(b, `,"audience":`...)
		b = jsonappend.Strings(b, o.Audience)
		b = append(b, `,"reasons":`...)
		b = appendJSONReasons(b, o.Reasons)
		return append(b, '}')
	})
	b = append(b, `,"routes":`...)
	b = jsonappend.Array(b, r.Routes, func(b []byte, rt RouteReceipt) []byte {
		b = append(b, `{"tlp":`...)
		b = jsonappend.String(b, rt.TLP.String())
		b = append(b, `,"scope":`...)
		b = jsonappend.String(b, rt.Scope)
		b = append(b, `,"audience":`...)
		b = jsonappend.Strings(b, rt.Audience)
		b = append(b, `,"objects":`...)
		b = strconv.AppendInt(b, int64(rt.Objects), 10)
		return append(b, '}')
	})
	return append(b, '}'), nil
}

func appendJSONReasons(b []byte, rs []policy.Reason) []byte {
	return jsonappend.Array(b, rs, func(b []byte, r policy.Reason) []byte {
		b = append(b, `{"code":`...)
		b = jsonappend.String(b, string(r.Code))
		b = append(b, `,"pointer":`...)
		b = jsonappend.String(b, r.Pointer)
		b = append(b, `,"message":`...)
		b = jsonappend.String(b, r.Message)
		return append(b, '}')
	})
}
