package portal

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// report is the incident form, parsed and checked.
type report struct {
	title, what, impact, sector string
	when                        time.Time
	rawWhen                     string
	rawIndicators               string
	indicators                  []indicatorValue
	rawAttachments              string
	attachments                 []attachment
	level                       tlp.Level
	audience                    string // partnership, community, members
	community                   string
	to                          []string
	anonymous                   bool
}

// draft is a previewed report: exactly the bytes that will be sent.
type draft struct {
	bundle   []byte
	audience Audience
	created  time.Time
}

// TLPChoice is one entry of the TLP picker: FIRST's colours and meanings.
type TLPChoice struct {
	Value, Label, Meaning, Class string
}

// tlpChoices follow FIRST TLP 2.0 (https://www.first.org/tlp/).
var tlpChoices = []TLPChoice{
	{"clear", "TLP:CLEAR", "No limit on disclosure: may be shared publicly.", "tlp-clear"},
	{"green", "TLP:GREEN", "The community: members and their peers, not public channels.", "tlp-green"},
	{"amber", "TLP:AMBER", "Recipients' organisations and their clients, on a need-to-know basis.", "tlp-amber"},
	{"amber+strict", "TLP:AMBER+STRICT", "Recipients' organisations only, on a need-to-know basis.", "tlp-amber"},
	{"red", "TLP:RED", "The named recipients only, no further.", "tlp-red"},
}

// sectors are STIX's industry-sector-ov values.
var sectors = []string{"agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
	"construction", "defense", "education", "energy", "entertainment", "financial-services", "government",
	"healthcare", "hospitality-leisure", "infrastructure", "insurance", "manufacturing", "mining", "non-profit",
	"pharmaceuticals", "retail", "technology", "telecommunications", "transportation", "utilities"}

const (
	maxField       = 10_000
	maxIndicators  = 500
	maxAttachments = 100
)

// attachment is a file the reporter has, sent as its SHA-256 and name
// only: the page hashes it in the browser and never uploads it.
type attachment struct{ sha256, name string }

var attachmentRE = regexp.MustCompile(`^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$`)

// parseAttachments reads sha256sum's format: the hash, then the name.
func parseAttachments(raw string) ([]attachment, []string) {
	var out []attachment
	var errs []string
	for i, line := range strings.Split(raw, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		m := attachmentRE.FindStringSubmatch(line)
		if m == nil {
			errs = append(errs, fmt.Sprintf("Attachments, line %d: want a SHA-256 (64 hex digits), then the file name", i+1))
			continue
		}
		out = append(out, attachment{sha256: strings.ToLower(m[1]), name: strings.TrimSpace(m[2])})
	}
	if len(out) > maxAttachments {
		errs = append(errs, fmt.Sprintf("Attachments: at most %d", maxAttachments))
	}
	return out, errs
}

// parseReport reads the form; problems are returned one per field, each
// naming the field (and the line, for indicators).
func parseReport(f url.Values, mou *policy.MoU, member string) (*report, []string) {
	r := &report{title: strings.TrimSpace(f.Get("title")), what: strings.TrimSpace(f.Get("what")),
		impact: strings.TrimSpace(f.Get("impact")), sector: f.Get("sector"), rawWhen: f.Get("when"),
		rawIndicators: f.Get("indicators"), rawAttachments: f.Get("attachments"), audience: f.Get("audience"), community: f.Get("community"),
		to: f["to"], anonymous: f.Get("anonymous") == "on"}
	var errs []string
	for name, v := range map[string]string{"Title": r.title, "What happened": r.what, "Impact": r.impact,
		"Indicators": r.rawIndicators, "Attachments": r.rawAttachments} {
		if len(v) > maxField || !utf8.ValidString(v) {
			errs = append(errs, fmt.Sprintf("%s: at most %d characters of text", name, maxField))
		}
	}
	if r.title == "" {
		errs = append(errs, "Title: required")
	}
	if r.what == "" {
		errs = append(errs, "What happened: required")
	}
	if r.sector != "" && !slices.Contains(sectors, r.sector) {
		errs = append(errs, fmt.Sprintf("Sector: %q is not in the list", r.sector))
	}
	if r.rawWhen != "" {
		t, err := time.Parse("2006-01-02T15:04", r.rawWhen)
		if err != nil {
			errs = append(errs, "When: want a date and time (YYYY-MM-DDTHH:MM, UTC)")
		}
		r.when = t
	}
	for i, line := range strings.Split(r.rawIndicators, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, err := parseIndicator(line)
		if err != nil {
			errs = append(errs, fmt.Sprintf("Indicators, line %d: %v", i+1, err))
			continue
		}
		r.indicators = append(r.indicators, v)
	}
	if len(r.indicators) > maxIndicators {
		errs = append(errs, fmt.Sprintf("Indicators: at most %d", maxIndicators))
	}
	atts, attErrs := parseAttachments(r.rawAttachments)
	r.attachments, errs = atts, append(errs, attErrs...)
	level, err := tlp.ParseLevel(f.Get("tlp"))
	if err != nil || level == tlp.None {
		errs = append(errs, "TLP: choose one")
	}
	r.level = level
	switch r.audience {
	case "partnership":
	case "community":
		if !slices.ContainsFunc(mou.Communities, func(c policy.Community) bool { return c.ID == r.community }) {
			errs = append(errs, fmt.Sprintf("Community: %q is not a community of the MoU", r.community))
		}
	case "members":
		if len(r.to) == 0 {
			errs = append(errs, "Members: name at least one recipient")
		}
		for _, m := range r.to {
			if _, ok := mou.Member(m); !ok || m == member {
				errs = append(errs, fmt.Sprintf("Members: %q is not another member of the MoU", m))
			}
		}
	default:
		errs = append(errs, "Audience: choose the partnership, a community or named members")
	}
	return r, errs
}

// description is the incident's description: the free text, then when,
// impact and sector, so a recipient's tool shows them all.
func (r *report) description() string {
	var b strings.Builder
	b.WriteString(r.what)
	if !r.when.IsZero() {
		fmt.Fprintf(&b, "\n\nWhen: %s UTC", r.when.Format("2006-01-02 15:04"))
	}
	if r.impact != "" {
		fmt.Fprintf(&b, "\n\nImpact: %s", r.impact)
	}
	if r.sector != "" {
		fmt.Fprintf(&b, "\n\nSector: %s", r.sector)
	}
	return b.String()
}

// addressing is how the submission is addressed (the intake headers).
func (r *report) addressing() Audience {
	a := Audience{Anonymous: r.anonymous}
	switch r.audience {
	case "community":
		a.Community = r.community
	case "members":
		a.To = r.to
	}
	return a
}
