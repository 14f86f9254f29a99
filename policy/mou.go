package policy

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/policy/tlp"
)

// MoU is the partnership's Memorandum of Understanding: who the members
// are and the rules they agreed on. Load it with ParseMoU (which validates
// it) or take DemoMoU; NewEngine validates again, so a hand-built MoU with
// a mistake shares nothing.
type MoU struct {
	Partnership Partnership `yaml:"partnership"`
	Members     []Member    `yaml:"members"`
	Communities []Community `yaml:"communities"`
	Rules       Rules       `yaml:"rules"`
	Requests    Requests    `yaml:"requests"`
	Quotas      Quota       `yaml:"quotas"` // every member's default quota (charged by hub/quota)

	file  string         // the file name for error messages
	lines map[string]int // field path ("members[1].contact.email") → line
}

// Partnership names the MoU and its version; the version is stamped on
// every decision, so a receipt says which rules decided it.
type Partnership struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
}

// MemberType is what kind of organisation a member is.
type MemberType string

// The member types; law enforcement matters to the personal-data rule.
const (
	LawEnforcement            MemberType = "law-enforcement"
	Industry                  MemberType = "industry"
	CERT                      MemberType = "cert"
	Academia                  MemberType = "academia"
	InternationalOrganization MemberType = "international-organization"
)

var memberTypes = []MemberType{LawEnforcement, Industry, CERT, Academia, InternationalOrganization}

// Member is one party to the MoU.
type Member struct {
	ID           string     `yaml:"id"` // [a-z0-9-]{2,32}
	Name         string     `yaml:"name"`
	Type         MemberType `yaml:"type"`
	Jurisdiction string     `yaml:"jurisdiction"` // ISO 3166-1 alpha-2
	Sectors      []string   `yaml:"sectors"`
	Communities  []string   `yaml:"communities"`
	Identity     string     `yaml:"identity"`  // the member's STIX identity id
	RelayFor     []string   `yaml:"relay_for"` // identity ids it may submit on behalf of
	Suspended    bool       `yaml:"suspended"` // a suspended member neither sends nor receives
	Contact      Contact    `yaml:"contact"`
	Quota        Quota      `yaml:"quota"` // zero fields: the partnership's quotas
}

// Contact is a member's 24/7 point of contact.
type Contact struct {
	Desk      string   `yaml:"desk"`
	Phone     string   `yaml:"phone"`
	Email     string   `yaml:"email"`
	Languages []string `yaml:"languages"` // BCP 47 tags, e.g. "en", "nb"
}

// Community is a named group of members that a submission may address.
// Its members receive what is addressed to it; AcceptsFrom says who else
// may address it.
type Community struct {
	ID          string      `yaml:"id"`
	Name        string      `yaml:"name"`
	AcceptsFrom AcceptsFrom `yaml:"accepts_from"`
}

// AcceptsFrom says who may address a community besides its own members
// (who always may): "partnership" (every member), "members" (its members
// only, the default when empty), or a list of member types and member ids.
// In YAML it is a single word or a list.
type AcceptsFrom []string

// The single-word values of AcceptsFrom.
const (
	AcceptsPartnership = "partnership"
	AcceptsMembers     = "members"
)

// UnmarshalYAML takes a single word or a list of words.
func (a *AcceptsFrom) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*a = AcceptsFrom{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(AcceptsFrom, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("want a member type or a member id at line %d", item.Line)
			}
			out = append(out, item.Value)
		}
		*a = out
		return nil
	}
	return fmt.Errorf("want partnership, members, or a list of member types and member ids")
}

// Admits reports whether mb may address community c.
func (a AcceptsFrom) Admits(c string, mb Member) bool {
	return slices.Contains(mb.Communities, c) || a.Names(mb)
}

// Names reports whether a names mb: "partnership", its type or its id.
func (a AcceptsFrom) Names(mb Member) bool {
	for _, w := range a {
		if w == AcceptsPartnership || w == string(mb.Type) || w == mb.ID {
			return true
		}
	}
	return false
}

// Rules are the MoU's sharing rules.
type Rules struct {
	Unmarked             string         `yaml:"unmarked"`              // "reject" or a default TLP level ("green", ...)
	PersonalData         string         `yaml:"personal_data"`         // law-enforcement | reject | allow
	StateConduct         string         `yaml:"state_conduct"`         // allow | review | reject
	AnonymousSubmissions bool           `yaml:"anonymous_submissions"` // may a sender ask to be anonymous
	Limits               Limits         `yaml:"limits"`
	Classification       Classification `yaml:"classification"`
}

// Rule values.
const (
	RuleReject         = "reject"
	RuleAllow          = "allow"
	RuleReview         = "review"
	RuleLawEnforcement = "law-enforcement"
)

// Requests configures law-enforcement requests and their responses
// (geneva-request, geneva-response objects; see docs/requests.md).
type Requests struct {
	Senders RequestSenders `yaml:"senders"`
	// MinTLP is the lowest TLP a request or response may travel at:
	// amber+strict (the default) or red.
	MinTLP string `yaml:"min_tlp"`
	// AcknowledgeWithin is how long a recipient has to acknowledge a
	// request before the hub escalates to its 24/7 desk (Go duration,
	// default 1h).
	AcknowledgeWithin string `yaml:"acknowledge_within"`
}

// RequestSenders says who may send each kind of request: "partnership",
// or member types and member ids. Empty means the default: preservation
// from law enforcement only, the other kinds from every member.
type RequestSenders struct {
	Preservation AcceptsFrom `yaml:"preservation"`
	Information  AcceptsFrom `yaml:"information"`
	Assistance   AcceptsFrom `yaml:"assistance"`
	Takedown     AcceptsFrom `yaml:"takedown"`
}

// requestKinds are the kinds of request, in RequestSenders' order.
var requestKinds = []string{"preservation", "information", "assistance", "takedown"}

// Defaults of the requests section.
const (
	DefaultRequestMinTLP            = "amber+strict"
	DefaultRequestAcknowledgeWithin = time.Hour
)

// SendersOf is who may send a request of kind ("" for an unknown kind).
func (r Requests) SendersOf(kind string) AcceptsFrom {
	var a AcceptsFrom
	switch kind {
	case "preservation":
		a = r.Senders.Preservation
		if len(a) == 0 {
			return AcceptsFrom{string(LawEnforcement)}
		}
	case "information":
		a = r.Senders.Information
	case "assistance":
		a = r.Senders.Assistance
	case "takedown":
		a = r.Senders.Takedown
	default:
		return nil
	}
	if len(a) == 0 {
		return AcceptsFrom{AcceptsPartnership}
	}
	return a
}

// MinLevel is the lowest TLP of a request or response.
func (r Requests) MinLevel() tlp.Level {
	if l, err := tlp.ParseLevel(r.MinTLP); err == nil && r.MinTLP != "" {
		return l
	}
	l, _ := tlp.ParseLevel(DefaultRequestMinTLP)
	return l
}

// AckWithin is how long a recipient has to acknowledge a request.
func (r Requests) AckWithin() time.Duration {
	if d, err := time.ParseDuration(r.AcknowledgeWithin); err == nil && d > 0 {
		return d
	}
	return DefaultRequestAcknowledgeWithin
}

// Limits bound one submission.
type Limits struct {
	MaxBytes   int `yaml:"max_bytes"`
	MaxObjects int `yaml:"max_objects"`
}

// Classification configures the classified-material guard.
type Classification struct {
	Schemes    []string `yaml:"schemes"`     // national and international schemes to recognise
	ExtraTerms []string `yaml:"extra_terms"` // more banner terms the partnership treats as classified
}

// Member returns the member with id.
func (m *MoU) Member(id string) (Member, bool) {
	if m == nil {
		return Member{}, false
	}
	for _, mb := range m.Members {
		if mb.ID == id {
			return mb, true
		}
	}
	return Member{}, false
}

// CommunityMembers lists the ids of the members of community c, sorted.
func (m *MoU) CommunityMembers(c string) []string {
	var ids []string
	for _, mb := range m.Members {
		for _, mc := range mb.Communities {
			if mc == c {
				ids = append(ids, mb.ID)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// File is the name the MoU was loaded from ("" for one built in code).
func (m *MoU) File() string { return m.file }
