package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"github.com/genevahub/geneva/policy/classify"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Engine decides submissions under one MoU. It is immutable after
// NewEngine and safe for concurrent use. A nil or zero Engine rejects
// everything (fail closed).
type Engine struct {
	mou       *MoU
	validator *schemas.Validator
	guard     *classify.Guard

	members     map[string]Member   // by id
	byIdentity  map[string]string   // identity id → member id
	active      []string            // ids of members not suspended, sorted
	communities map[string][]string // community → active member ids, sorted
	unmarked    tlp.Level           // None: reject unmarked content
}

// NewEngine validates m and builds an engine for it. A nil, empty or
// invalid MoU is refused: it would share nothing.
func NewEngine(m *MoU) (*Engine, error) {
	if m == nil || len(m.Members) == 0 {
		return nil, ErrNoMoU
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	g, err := newGuard(m.Rules.Classification)
	if err != nil {
		return nil, &ConfigError{File: m.file, Line: m.line("rules.classification"), Field: "rules.classification", Msg: err.Error()}
	}
	// The engine checks the MoU's size limits itself, with clearer reasons;
	// the validator's own limits only bound the parser.
	limits := schemas.DefaultLimits()
	limits.MaxBytes = max(limits.MaxBytes, m.Rules.Limits.MaxBytes)
	limits.MaxObjects = max(limits.MaxObjects, m.Rules.Limits.MaxObjects)
	e := &Engine{
		mou:         m,
		validator:   schemas.NewValidator(schemas.Options{Limits: limits}),
		guard:       g,
		members:     map[string]Member{},
		byIdentity:  map[string]string{},
		communities: map[string][]string{},
	}
	for _, mb := range m.Members {
		e.members[mb.ID] = mb
		e.byIdentity[mb.Identity] = mb.ID
		if mb.Suspended {
			continue
		}
		e.active = append(e.active, mb.ID)
		for _, c := range mb.Communities {
			e.communities[c] = append(e.communities[c], mb.ID)
		}
	}
	for _, c := range m.Communities {
		sort.Strings(e.communities[c.ID])
	}
	sort.Strings(e.active)
	if m.Rules.Unmarked != RuleReject {
		e.unmarked, _ = tlp.ParseLevel(m.Rules.Unmarked) // Validate checked it
	}
	return e, nil
}

// MoU is the engine's MoU; callers must not change it.
func (e *Engine) MoU() *MoU {
	if e == nil {
		return nil
	}
	return e.mou
}

// ScopeMembers are the member sets behind the shared route scopes: "all"
// (every active member) and "c.<community>" (its active members), each
// sorted. A route on one of these scopes goes to its set less the sender
// (Route.ScopeMembers); the sender is in it unless it addressed a
// community it is not a member of (accepts_from).
func (e *Engine) ScopeMembers() map[string][]string {
	scopes := map[string][]string{"all": slices.Clone(e.active)}
	for _, c := range e.mou.Communities {
		scopes["c."+c.ID] = slices.Clone(e.communities[c.ID])
	}
	return scopes
}

// ScopeSenders are, for each shared scope, the active members who may
// publish on it: every active member for "all", and for "c.<community>"
// those its accepts_from admits (its members among them), each sorted.
func (e *Engine) ScopeSenders() map[string][]string {
	scopes := map[string][]string{"all": slices.Clone(e.active)}
	for _, c := range e.mou.Communities {
		var ids []string
		for _, id := range e.active {
			if c.AcceptsFrom.Admits(c.ID, e.members[id]) {
				ids = append(ids, id)
			}
		}
		scopes["c."+c.ID] = ids
	}
	return scopes
}

// Decide decides one submission. It is pure: no I/O, and the same request
// (and prior state) always gives the same decision.
func (e *Engine) Decide(req Request) Decision {
	sum := sha256.Sum256(req.Bundle)
	d := Decision{Sender: req.Sender, Digest: hex.EncodeToString(sum[:]), Reasons: []Reason{}, Objects: []ObjectDecision{}, Routes: []Route{}}
	if e == nil || e.mou == nil {
		d.Reasons = append(d.Reasons, Reason{Code: CodeNoPolicy, Message: "the engine has no valid MoU, so nothing is shared"})
		return d
	}
	d.PolicyVersion = e.mou.Partnership.Version
	s := &decider{e: e, req: req, d: &d}
	s.decide()
	return d
}

// decider holds the working state of one Decide call.
type decider struct {
	e   *Engine
	req Request
	d   *Decision

	doc        *schemas.Document
	sender     Member
	base       []string // the audience the request allows, sender excluded
	markings   map[string]marking
	byID       map[string]int // object id → first index
	supporting []bool
	failed     []bool // object rejected
	review     bool
	refused    []Reason // request rules that refused the submission
}

func (s *decider) decide() {
	if !s.checkSender() || !s.checkSize() || !s.parse() {
		return
	}
	s.index()
	if !s.checkRequest() || !s.checkClassified() {
		return
	}
	s.objects()
	if s.refuseRequests() {
		return
	}
	s.finish()
}

// rejectAll rejects the whole submission for reasons rs.
func (s *decider) rejectAll(msg string, rs ...Reason) {
	s.d.Verdict = Reject
	s.d.Reasons = append(s.d.Reasons, rs...)
	s.d.Routes = []Route{}
	if msg == "" {
		msg = "rejected with the whole submission"
	}
	for i := range s.d.Objects {
		o := &s.d.Objects[i]
		o.Shared, o.Archive, o.Audience = false, false, []string{}
		if !s.isFailed(i) {
			o.Reasons = append(o.Reasons, Reason{Code: CodeSubmissionBlocked, Pointer: s.pointer(i), Message: msg})
		}
	}
}

func (s *decider) isFailed(i int) bool { return s.failed != nil && s.failed[i] }

func (s *decider) pointer(i int) string {
	if s.doc == nil {
		return ""
	}
	return s.doc.ObjectPointer(i)
}

func (s *decider) checkSender() bool {
	mb, ok := s.e.members[s.req.Sender]
	switch {
	case !ok:
		s.rejectAll("", Reason{Code: CodeSenderUnknown, Message: fmt.Sprintf("sender %q is not a member of the partnership", clip(s.req.Sender))})
		return false
	case mb.Suspended:
		s.rejectAll("", Reason{Code: CodeSenderSuspended, Message: fmt.Sprintf("sender %q is suspended", mb.ID)})
		return false
	}
	s.sender = mb
	return true
}

func (s *decider) checkSize() bool {
	if max := s.e.mou.Rules.Limits.MaxBytes; len(s.req.Bundle) > max {
		s.rejectAll("", Reason{Code: CodeSizeBytes, Message: fmt.Sprintf("the submission has %d bytes; the MoU allows %d", len(s.req.Bundle), max)})
		return false
	}
	return true
}

// parse validates the bundle once and keeps the parsed document.
func (s *decider) parse() bool {
	doc, rep := s.req.Parsed.of(s.e, s.req.Bundle)
	if doc == nil {
		rs := make([]Reason, 0, len(rep.Errors))
		for _, f := range rep.Errors {
			rs = append(rs, Reason{Code: CodeSTIXSyntax, Pointer: f.Pointer, Message: findingMessage(f)})
		}
		if len(rs) == 0 {
			rs = append(rs, Reason{Code: CodeSTIXSyntax, Message: "the submission could not be parsed"})
		}
		s.rejectAll("", rs...)
		return false
	}
	s.doc, s.d.doc = doc, doc
	n := len(doc.Objects)
	s.d.Objects = make([]ObjectDecision, n)
	s.failed = make([]bool, n)
	s.supporting = make([]bool, n)
	for i, obj := range doc.Objects {
		s.d.Objects[i] = ObjectDecision{Index: i, ID: string(obj.GetStringBytes("id")), Type: string(obj.GetStringBytes("type")), Audience: []string{}, Reasons: []Reason{}}
	}
	if max := s.e.mou.Rules.Limits.MaxObjects; n > max {
		s.rejectAll("rejected with the whole submission: it is too large", Reason{Code: CodeSizeObjects, Message: fmt.Sprintf("the submission has %d objects; the MoU allows %d", n, max)})
		return false
	}
	var envelope []Reason
	for _, f := range rep.Errors {
		if f.Object < 0 || f.Object >= n {
			envelope = append(envelope, Reason{Code: CodeSTIXEnvelope, Pointer: f.Pointer, Message: findingMessage(f)})
			continue
		}
		s.reject(f.Object, Reason{Code: CodeSTIXInvalid, Pointer: f.Pointer, Message: findingMessage(f)})
	}
	if len(envelope) > 0 {
		s.rejectAll("rejected with the whole submission: the bundle envelope is not valid STIX 2.1", envelope...)
		return false
	}
	return true
}

func findingMessage(f schemas.Finding) string {
	if f.Rule == "" {
		return f.Message
	}
	return f.Rule + ": " + f.Message
}

// reject rejects object i for reason r (more reasons may follow).
func (s *decider) reject(i int, r Reason) {
	s.failed[i] = true
	s.d.Objects[i].Reasons = append(s.d.Objects[i].Reasons, r)
}

// note adds an informational reason to object i.
func (s *decider) note(i int, r Reason) {
	s.d.Objects[i].Reasons = append(s.d.Objects[i].Reasons, r)
}

// index finds the marking definitions and supporting objects.
func (s *decider) index() {
	s.byID = make(map[string]int, len(s.doc.Objects))
	for i, obj := range s.doc.Objects {
		id := s.d.Objects[i].ID
		if _, dup := s.byID[id]; !dup {
			s.byID[id] = i
		}
		switch {
		case s.d.Objects[i].Type == "marking-definition":
			s.supporting[i] = true
			s.indexMarking(i, obj)
		case s.d.Objects[i].Type == "identity" && id == s.sender.Identity && !s.req.Anonymous:
			s.supporting[i] = true
		}
	}
}

// finish sets the verdict and builds the routes.
func (s *decider) finish() {
	d := s.d
	nonSupporting, shared := 0, 0
	for i := range d.Objects {
		if s.supporting[i] {
			continue
		}
		nonSupporting++
		if !s.failed[i] {
			shared++
		}
	}
	switch {
	case nonSupporting == 0:
		s.rejectAll("", Reason{Code: CodeNothingToShare, Message: "the submission holds only supporting objects (marking definitions, the sender's identity)"})
		return
	case shared == 0:
		s.rejectAll("not sent: no object of the submission may be shared")
		return
	case s.review:
		d.Verdict = Review
	case shared == nonSupporting:
		d.Verdict = Accept
	default:
		d.Verdict = Partial
	}
	s.routes()
}

func sortedUnique(ids []string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return slices.Compact(out)
}

func without(ids []string, id string) []string {
	out := make([]string, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
