package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/tlp"
)

// objects applies the per-object rules to every object that is not a
// supporting one. An object is shared unless some rule rejects it; every
// rule that fires adds its reason, so the sender sees all of them at once.
func (s *decider) objects() {
	state := s.stateConduct()
	for i, obj := range s.doc.Objects {
		o := &s.d.Objects[i]
		if s.supporting[i] {
			continue
		}
		if s.req.Anonymous && o.Type == "identity" && o.ID == s.sender.Identity {
			s.reject(i, Reason{Code: CodeAnonymousIdentity, Pointer: s.pointer(i), Message: "an anonymous submission may not carry the sender's own identity"})
		}
		if s.failed[i] {
			continue // invalid STIX: nothing else is worth saying
		}
		level, ok := s.objectTLP(i, obj)
		s.provenance(i, obj)
		if !ok {
			continue
		}
		o.TLP = level
		audience := s.base
		if level.NamedRecipientsOnly() && len(s.req.To) == 0 {
			s.reject(i, Reason{Code: CodeTLPRecipientsRequired, Pointer: s.pointer(i), Message: fmt.Sprintf("%s is shared only with members named with --to", level.Label())})
		}
		s.requestRules(i, obj, level)
		audience = s.personalData(i, obj, audience)
		if state[i] {
			s.stateConductRule(i)
		}
		s.monotonic(i, level, audience)
		if len(audience) == 0 && !s.failed[i] {
			s.reject(i, Reason{Code: CodeAudienceEmpty, Pointer: s.pointer(i), Message: "no member but the sender may receive the object"})
		}
		if !s.failed[i] {
			o.Audience = slices.Clone(audience) // each object owns its slice
		}
	}
}

// provenance: created_by_ref, when present, must be the sender's identity
// or one it may relay for; an anonymous submission may carry none.
func (s *decider) provenance(i int, obj *fastjson.Value) {
	v := obj.Get("created_by_ref")
	if v == nil {
		return
	}
	ref := string(v.GetStringBytes())
	p := s.pointer(i) + "/created_by_ref"
	switch {
	case s.req.Anonymous:
		s.reject(i, Reason{Code: CodeAnonymousCreatedBy, Pointer: p, Message: "an anonymous submission may not carry created_by_ref"})
	case ref == s.sender.Identity || slices.Contains(s.sender.RelayFor, ref):
	default:
		who := "an identity the sender may not speak for"
		if m, ok := s.e.byIdentity[ref]; ok {
			who = fmt.Sprintf("the identity of member %q", m)
		}
		s.reject(i, Reason{Code: CodeProvenanceSpoofed, Pointer: p, Message: fmt.Sprintf("created_by_ref %s is %s", clip(ref), who)})
	}
}

// personalDataTypes are the object types that always hold personal data.
// An identity holds it when identity_class is "individual". IP addresses,
// domains and URLs are deliberately not on the list: they are the bulk of
// indicators, and the MoU shares them as technical data.
var personalDataTypes = []string{"email-addr", "user-account", "email-message"}

func isPersonalData(typ string, obj *fastjson.Value) bool {
	if typ == "identity" {
		return strings.EqualFold(string(obj.GetStringBytes("identity_class")), "individual")
	}
	return slices.Contains(personalDataTypes, typ)
}

// personalData applies the MoU's personal-data rule and returns the
// audience left.
func (s *decider) personalData(i int, obj *fastjson.Value, audience []string) []string {
	typ := s.d.Objects[i].Type
	if !isPersonalData(typ, obj) {
		return audience
	}
	switch s.e.mou.Rules.PersonalData {
	case RuleAllow:
		return audience
	case RuleReject:
		s.reject(i, Reason{Code: CodePersonalDataRejected, Pointer: s.pointer(i), Message: fmt.Sprintf("holds personal data (%s), which the MoU does not allow to be shared", typ)})
		return nil
	}
	var le []string
	for _, id := range audience {
		if s.e.members[id].Type == LawEnforcement {
			le = append(le, id)
		}
	}
	if len(le) == 0 {
		s.reject(i, Reason{Code: CodePersonalDataNoLE, Pointer: s.pointer(i), Message: fmt.Sprintf("holds personal data (%s), which goes to law enforcement only, and no law-enforcement member is among the recipients", typ)})
		return nil
	}
	s.note(i, Reason{Code: CodePersonalDataLEOnly, Pointer: s.pointer(i), Message: fmt.Sprintf("holds personal data (%s): shared with law-enforcement members only", typ)})
	return le
}

// stateConduct finds the objects that attribute activity to a state:
//   - a threat-actor whose threat_actor_types include "nation-state";
//   - a threat-actor or intrusion-set whose resource_level is "government";
//   - an "attributed-to" relationship whose target is one of those.
func (s *decider) stateConduct() []bool {
	flagged := make([]bool, len(s.doc.Objects))
	any := false
	for i, obj := range s.doc.Objects {
		typ := s.d.Objects[i].Type
		if typ != "threat-actor" && typ != "intrusion-set" {
			continue
		}
		if string(obj.GetStringBytes("resource_level")) == "government" {
			flagged[i], any = true, true
		}
		if typ == "threat-actor" {
			for _, t := range obj.GetArray("threat_actor_types") {
				if string(t.GetStringBytes()) == "nation-state" {
					flagged[i], any = true, true
				}
			}
		}
	}
	if !any {
		return flagged
	}
	for i, obj := range s.doc.Objects {
		if s.d.Objects[i].Type != "relationship" || string(obj.GetStringBytes("relationship_type")) != "attributed-to" {
			continue
		}
		if t, ok := s.byID[string(obj.GetStringBytes("target_ref"))]; ok && flagged[t] {
			flagged[i] = true
		}
	}
	return flagged
}

func (s *decider) stateConductRule(i int) {
	p := s.pointer(i)
	switch s.e.mou.Rules.StateConduct {
	case RuleReview:
		s.note(i, Reason{Code: CodeStateConductReview, Pointer: p, Message: "attributes activity to a state: the submission is held for review at the hub"})
		if !s.review {
			s.d.Reasons = append(s.d.Reasons, Reason{Code: CodeStateConductReview, Pointer: p, Message: "the submission attributes activity to a state: held for review by a person at the hub"})
		}
		s.review = true
	case RuleReject:
		s.reject(i, Reason{Code: CodeStateConductRejected, Pointer: p, Message: "attributes activity to a state, which the MoU does not allow to be shared"})
	}
}

// monotonic: a later version of an object shared before may not lower its
// TLP or widen its audience, unless it comes from the originator.
func (s *decider) monotonic(i int, level tlp.Level, audience []string) {
	if s.req.Prior == nil {
		return
	}
	prior, ok := s.req.Prior.Object(s.d.Objects[i].ID)
	if !ok || prior.Originator == s.sender.ID {
		return
	}
	p := s.pointer(i)
	if prior.TLP.MoreRestrictive(level) {
		s.reject(i, Reason{Code: CodeMonotonicTLP, Pointer: p, Message: fmt.Sprintf("was shared by %q at %s; only the originator may lower it to %s", prior.Originator, prior.TLP.Label(), level.Label())})
	}
	var wider []string
	for _, id := range audience {
		if id != prior.Originator && !slices.Contains(prior.Audience, id) {
			wider = append(wider, id)
		}
	}
	if len(wider) > 0 {
		s.reject(i, Reason{Code: CodeMonotonicAudience, Pointer: p, Message: fmt.Sprintf("was shared by %q to fewer members; only the originator may widen it to %s", prior.Originator, strings.Join(wider, ", "))})
	}
}
