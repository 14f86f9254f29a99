// Package policy is the partnership's Memorandum of Understanding as code:
// given a submission, decide what is shared with whom and why.
package policy

import (
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Verdict is the outcome for a whole submission. The zero value is Reject,
// so a forgotten assignment fails closed.
type Verdict uint8

const (
	Reject  Verdict = iota // nothing is shared
	Accept                 // every object is shared
	Partial                // some objects are shared, the others rejected
	Review                 // held for a human at the hub
)

// Code is a stable reason code, catalogued in codes.go.
type Code string

// Reason says why a rule fired.
type Reason struct {
	Code    Code   `json:"code"`
	Pointer string `json:"pointer"` // JSON pointer into the submission
	Message string `json:"message"` // a plain sentence; never echoes classified text
}

// PriorState is a read-only view of what the hub has already shared, used
// for the monotonic-marking rule. Implementations must be safe to call from
// Decide without I/O (an in-memory index or snapshot).
type PriorState interface {
	Object(id string) (PriorObject, bool)
}

// PriorObject is what the hub remembers of an object already shared.
type PriorObject struct {
	Originator string    // member id of the first sender
	TLP        tlp.Level // the highest TLP it was shared under
	Audience   []string  // member ids it reached
}

// Request is one submission to decide.
type Request struct {
	Sender    string   // the submitting member's id (authenticated by the hub)
	To        []string // named recipients; empty means none named
	Community string   // "" means none
	Anonymous bool     // the sender asks to be shown as anonymous
	Bundle    []byte   // the STIX 2.1 document as submitted
	Prior     PriorState
	// Parsed, when it is Bundle as this engine parsed it (Engine.Parse),
	// spares Decide a second parse: a connector reads a bundle once for
	// its defaults and its pre-flight decision.
	Parsed *Parsed
}

// ObjectDecision is the decision for one object of the submission.
type ObjectDecision struct {
	Index    int       `json:"-"` // position in the document's objects
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Shared   bool      `json:"shared"`
	TLP      tlp.Level `json:"tlp"`
	Audience []string  `json:"audience"` // member ids that receive it
	Archive  bool      `json:"archive"`
	Reasons  []Reason  `json:"reasons"`
}

// Route is one part of a submission: the objects that go to one audience at
// one TLP. The hub publishes one message per route. Audience is exact and
// never holds the sender. Scope is the subject token for it: "all" (every
// member but the sender), "c.<community>" (that community but the sender,
// who need not be in it)
// or "m.<member>" (one named member; a wider named audience is split into
// one route per member).
type Route struct {
	TLP      tlp.Level `json:"tlp"`
	Scope    string    `json:"scope"`
	Audience []string  `json:"audience"` // member ids, sorted
	Objects  []int     `json:"objects"`  // indices into the document's objects, supporting marking definitions included
	Archive  bool      `json:"archive"`  // ArchiveObjects is not empty
	// ArchiveObjects are the positions within Objects (so within the part's
	// "objects") that this route archives. An object that travels on several
	// routes (a named audience split per member) is archived by the first
	// of them only, so the archive holds it exactly once.
	ArchiveObjects []int `json:"archive_objects"`
	// ScopeMembers is, for a shared scope ("all", "c.<community>"), its
	// active member set when decided: the audience, plus the sender when
	// the sender belongs to it (a member may address a community it is not
	// in, see Community.AcceptsFrom). Nil for "m.<member>".
	ScopeMembers []string `json:"scope_members,omitempty"`
}

// Decision is the outcome of Decide: a value, never an I/O side effect.
type Decision struct {
	Verdict       Verdict
	PolicyVersion string
	Sender        string
	Anonymous     bool
	Classified    bool   // the classified-material guard fired: erase the content
	Digest        string // hex SHA-256 of the submitted bytes
	Reasons       []Reason
	Objects       []ObjectDecision
	Routes        []Route

	doc *schemas.Document // the parsed submission, for Part
}
