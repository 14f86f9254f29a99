package policy

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/genevahub/geneva/policy/classify"
	"github.com/genevahub/geneva/policy/tlp"
)

var (
	memberIDPattern   = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)
	identityIDPattern = regexp.MustCompile(`^identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	phonePattern      = regexp.MustCompile(`^\+[0-9][0-9 ]{5,20}[0-9]$`)
)

// KnownSchemes are the classification schemes the guard can be asked to
// recognise (rules.classification.schemes).
var KnownSchemes = classify.Schemes()

// Validate checks the MoU and reports every problem at once as
// ConfigErrors. A nil or empty MoU is an error: it would share nothing.
func (m *MoU) Validate() error {
	if m == nil {
		return ConfigErrors{{Msg: ErrNoMoU.Error()}}
	}
	v := validation{m: m}
	v.partnership()
	communities := v.communities()
	v.members(communities)
	v.acceptsFrom()
	v.requests()
	v.rules()
	v.quotas()
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

type validation struct {
	m    *MoU
	errs ConfigErrors
}

func (v *validation) fail(path, format string, args ...any) {
	v.errs = append(v.errs, &ConfigError{File: v.m.file, Line: v.m.line(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validation) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.fail(path, "required")
		return false
	}
	return true
}

func (v *validation) partnership() {
	v.required("partnership.name", v.m.Partnership.Name)
	v.required("partnership.version", v.m.Partnership.Version)
}

func (v *validation) communities() map[string]bool {
	ids := map[string]bool{}
	for i, c := range v.m.Communities {
		p := fmt.Sprintf("communities[%d]", i)
		if v.required(p+".id", c.ID) && !memberIDPattern.MatchString(c.ID) {
			v.fail(p+".id", "%q is not a valid id (want [a-z0-9-]{2,32})", c.ID)
		}
		if ids[c.ID] {
			v.fail(p+".id", "duplicate community %q", c.ID)
		}
		ids[c.ID] = true
		v.required(p+".name", c.Name)
	}
	return ids
}

func (v *validation) members(communities map[string]bool) {
	if len(v.m.Members) == 0 {
		v.fail("members", "required: a partnership without members shares nothing")
		return
	}
	ids, identities := map[string]bool{}, map[string]string{}
	for i, mb := range v.m.Members {
		p := fmt.Sprintf("members[%d]", i)
		if v.required(p+".id", mb.ID) && !memberIDPattern.MatchString(mb.ID) {
			v.fail(p+".id", "%q is not a valid member id (want [a-z0-9-]{2,32})", mb.ID)
		}
		if ids[mb.ID] {
			v.fail(p+".id", "duplicate member %q", mb.ID)
		}
		ids[mb.ID] = true
		v.required(p+".name", mb.Name)
		if !slices.Contains(memberTypes, mb.Type) {
			v.fail(p+".type", "%q is not a member type (want law-enforcement, industry, cert, academia or international-organization)", mb.Type)
		}
		v.jurisdiction(p+".jurisdiction", mb.Jurisdiction)
		for j, s := range mb.Sectors {
			v.required(fmt.Sprintf("%s.sectors[%d]", p, j), s)
		}
		for j, c := range mb.Communities {
			if !communities[c] {
				v.fail(fmt.Sprintf("%s.communities[%d]", p, j), "unknown community %q", c)
			}
		}
		if v.required(p+".identity", mb.Identity) {
			if !identityIDPattern.MatchString(mb.Identity) {
				v.fail(p+".identity", "%q is not a STIX identity id (identity--<uuid>)", mb.Identity)
			} else if other, dup := identities[mb.Identity]; dup {
				v.fail(p+".identity", "identity already belongs to member %q", other)
			}
			identities[mb.Identity] = mb.ID
		}
		for j, r := range mb.RelayFor {
			rp := fmt.Sprintf("%s.relay_for[%d]", p, j)
			switch {
			case !identityIDPattern.MatchString(r):
				v.fail(rp, "%q is not a STIX identity id (identity--<uuid>)", r)
			case r == mb.Identity:
				v.fail(rp, "a member need not relay for its own identity")
			}
		}
		v.contact(p+".contact", mb.Contact)
	}
	// A member relays for others' content, never for another member: that
	// would let it speak as that member.
	for i, mb := range v.m.Members {
		for j, r := range mb.RelayFor {
			if other, ok := identities[r]; ok && other != mb.ID {
				v.fail(fmt.Sprintf("members[%d].relay_for[%d]", i, j), "is the identity of member %q: a member may not relay for another member", other)
			}
		}
	}
}

// acceptsFrom checks each community's accepts_from: one of the words
// partnership and members alone, or member types and member ids.
func (v *validation) acceptsFrom() {
	ids := map[string]bool{}
	for _, mb := range v.m.Members {
		ids[mb.ID] = true
	}
	for i, c := range v.m.Communities {
		p := fmt.Sprintf("communities[%d].accepts_from", i)
		for j, w := range c.AcceptsFrom {
			isType := slices.Contains(memberTypes, MemberType(w))
			switch {
			case w == AcceptsPartnership || w == AcceptsMembers:
				if len(c.AcceptsFrom) > 1 {
					v.fail(p, "%q stands alone: want partnership, members, or a list of member types and member ids", w)
				}
			case isType && ids[w]:
				v.fail(fmt.Sprintf("%s[%d]", p, j), "%q is both a member type and a member id", w)
			case !isType && !ids[w]:
				v.fail(fmt.Sprintf("%s[%d]", p, j), "%q is neither a member type (law-enforcement, industry, cert, academia, international-organization) nor a member id", w)
			}
		}
	}
}

// requests checks the requests section: who may send each kind, the
// lowest TLP and the acknowledgement time.
func (v *validation) requests() {
	r := v.m.Requests
	for k, a := range []AcceptsFrom{r.Senders.Preservation, r.Senders.Information, r.Senders.Assistance, r.Senders.Takedown} {
		p := "requests.senders." + requestKinds[k]
		for j, w := range a {
			if w == AcceptsPartnership {
				if len(a) > 1 {
					v.fail(p, "%q stands alone: want partnership, or a list of member types and member ids", w)
				}
				continue
			}
			if !slices.Contains(memberTypes, MemberType(w)) && !v.memberID(w) {
				v.fail(fmt.Sprintf("%s[%d]", p, j), "%q is neither partnership, a member type nor a member id", w)
			}
		}
	}
	if r.MinTLP != "" && r.MinTLP != "amber+strict" && r.MinTLP != "red" {
		v.fail("requests.min_tlp", "%q: want amber+strict or red (requests go to named recipients)", r.MinTLP)
	}
	if r.AcknowledgeWithin != "" {
		if d, err := time.ParseDuration(r.AcknowledgeWithin); err != nil || d <= 0 {
			v.fail("requests.acknowledge_within", "%q is not a positive duration (e.g. 1h, 30m)", r.AcknowledgeWithin)
		}
	}
}

func (v *validation) memberID(id string) bool {
	return slices.ContainsFunc(v.m.Members, func(mb Member) bool { return mb.ID == id })
}

func (v *validation) jurisdiction(path, code string) {
	if !v.required(path, code) {
		return
	}
	r, err := language.ParseRegion(code)
	if err != nil || len(code) != 2 || code != strings.ToUpper(code) || r.String() != code || !r.IsCountry() {
		v.fail(path, "%q is not an ISO 3166-1 alpha-2 country code (e.g. NO, US, DE)", code)
	}
}

func (v *validation) contact(path string, c Contact) {
	v.required(path+".desk", c.Desk)
	if v.required(path+".phone", c.Phone) && !phonePattern.MatchString(c.Phone) {
		v.fail(path+".phone", "%q is not an international phone number (+<digits>)", c.Phone)
	}
	if v.required(path+".email", c.Email) {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			v.fail(path+".email", "%q is not an e-mail address", c.Email)
		}
	}
	if len(c.Languages) == 0 {
		v.fail(path+".languages", "required: at least one language the desk answers in")
	}
	for i, l := range c.Languages {
		if _, err := language.Parse(l); err != nil || l == "" {
			v.fail(fmt.Sprintf("%s.languages[%d]", path, i), "%q is not a BCP 47 language tag", l)
		}
	}
}

func (v *validation) rules() {
	r := v.m.Rules
	if r.Unmarked != RuleReject {
		if _, err := tlp.ParseLevel(r.Unmarked); err != nil {
			v.fail("rules.unmarked", "%q: want reject or a default TLP level (clear, green, amber, amber+strict, red)", r.Unmarked)
		}
	}
	if !slices.Contains([]string{RuleLawEnforcement, RuleReject, RuleAllow}, r.PersonalData) {
		v.fail("rules.personal_data", "%q: want law-enforcement, reject or allow", r.PersonalData)
	}
	if !slices.Contains([]string{RuleAllow, RuleReview, RuleReject}, r.StateConduct) {
		v.fail("rules.state_conduct", "%q: want allow, review or reject", r.StateConduct)
	}
	if r.Limits.MaxBytes <= 0 {
		v.fail("rules.limits.max_bytes", "want a positive number of bytes")
	}
	if r.Limits.MaxObjects <= 0 {
		v.fail("rules.limits.max_objects", "want a positive number of objects")
	}
	bad := len(v.errs)
	if len(r.Classification.Schemes) == 0 {
		v.fail("rules.classification.schemes", "required: the guard must know at least one classification scheme (known: %s)", strings.Join(KnownSchemes, ", "))
	}
	for i, s := range r.Classification.Schemes {
		if !slices.Contains(KnownSchemes, s) {
			v.fail(fmt.Sprintf("rules.classification.schemes[%d]", i), "unknown scheme %q (known: %s)", s, strings.Join(KnownSchemes, ", "))
		}
	}
	for i, t := range r.Classification.ExtraTerms {
		v.required(fmt.Sprintf("rules.classification.extra_terms[%d]", i), t)
	}
	if len(v.errs) == bad {
		if _, err := newGuard(r.Classification); err != nil {
			v.fail("rules.classification", "%s", strings.TrimPrefix(err.Error(), "classify: "))
		}
	}
}
