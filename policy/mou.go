package policy

import "sort"

// MoU is the partnership's Memorandum of Understanding: who the members
// are and the rules they agreed on. Load it with ParseMoU (which validates
// it) or take DemoMoU; NewEngine validates again, so a hand-built MoU with
// a mistake shares nothing.
type MoU struct {
	Partnership Partnership `yaml:"partnership"`
	Members     []Member    `yaml:"members"`
	Communities []Community `yaml:"communities"`
	Rules       Rules       `yaml:"rules"`
	Quotas      Quota       `yaml:"quotas"` // every member's default quota (quota.go)

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
type Community struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
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
