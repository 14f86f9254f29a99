package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func TestDemoMoU(t *testing.T) {
	m := policy.DemoMoU()
	require.NoError(t, m.Validate())
	var ids []string
	for _, mb := range m.Members {
		ids = append(ids, mb.ID)
		require.NotEqual(t, "identity--158eb787-a879-5e13-b2d4-b40469524cc2", mb.Identity, "that identity is the stranger of spoofed-creator.json")
	}
	require.Equal(t, []string{"le-alpha", "le-bravo", "bank-one", "isp-two", "cert-three"}, ids)
	require.Equal(t, []string{"le-alpha", "le-bravo"}, m.CommunityMembers("le"))
	require.Equal(t, []string{"bank-one"}, m.CommunityMembers("finance"))
	want := map[string]string{"le-alpha": "NO", "le-bravo": "US", "bank-one": "DE", "isp-two": "NL", "cert-three": "FR"}
	for id, j := range want {
		mb, ok := m.Member(id)
		require.True(t, ok)
		require.Equal(t, j, mb.Jurisdiction, id)
	}
	require.Equal(t, "reject", m.Rules.Unmarked)
	require.Equal(t, "law-enforcement", m.Rules.PersonalData)
	require.Equal(t, "review", m.Rules.StateConduct)
	require.True(t, m.Rules.AnonymousSubmissions)
}

func TestDemoMoUDocCopyIsIdentical(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(stixtest.RepoRoot(t), "docs", "demo-mou.yaml"))
	require.NoError(t, err)
	require.Equal(t, string(policy.DemoMoUYAML()), string(doc), "docs/demo-mou.yaml must equal policy/demo-mou.yaml")
}

// brokenMoU has one problem of each kind, each on a known line.
const brokenMoU = `partnership:
  name: Broken
members:
  - id: A
    name: Upper-case id
    type: police
    jurisdiction: XX
    communities: [nowhere]
    identity: identity--not-a-uuid
    contact:
      desk: Desk
      phone: "12345"
      email: not-an-address
      languages: [en]
    colour: blue
communities: []
rules:
  unmarked: purple
  personal_data: everyone
  state_conduct: review
  limits:
    max_bytes: 0
    max_objects: 10
  classification:
    schemes: [us, mars]
`

func TestParseMoUReportsEveryProblemWithItsLine(t *testing.T) {
	_, err := policy.ParseMoU("broken.yaml", []byte(brokenMoU))
	require.Error(t, err)
	got := err.Error()
	for _, want := range []string{
		"broken.yaml:15: members[0].colour: unknown field",
	} {
		require.Contains(t, got, want)
	}
	// Strict decoding stops before validation; fix the unknown field and
	// every validation problem is reported at once.
	_, err = policy.ParseMoU("broken.yaml", []byte(strings.Replace(brokenMoU, "    colour: blue\n", "", 1)))
	require.Error(t, err)
	got = err.Error()
	for _, want := range []string{
		"broken.yaml:1: partnership.version: required", // the line of partnership:, where it belongs
		"broken.yaml:4: members[0].id: \"A\" is not a valid member id",
		"broken.yaml:6: members[0].type: \"police\" is not a member type",
		"broken.yaml:7: members[0].jurisdiction: \"XX\" is not an ISO 3166-1 alpha-2 country code",
		"broken.yaml:8: members[0].communities[0]: unknown community \"nowhere\"",
		"broken.yaml:9: members[0].identity: \"identity--not-a-uuid\" is not a STIX identity id",
		"broken.yaml:12: members[0].contact.phone: \"12345\" is not an international phone number",
		"broken.yaml:13: members[0].contact.email: \"not-an-address\" is not an e-mail address",
		"broken.yaml:17: rules.unmarked: \"purple\"",
		"broken.yaml:18: rules.personal_data: \"everyone\"",
		"broken.yaml:21: rules.limits.max_bytes: want a positive number",
		"broken.yaml:24: rules.classification.schemes[1]: unknown scheme \"mars\"",
	} {
		require.Contains(t, got, want)
	}
	var ce *policy.ConfigError
	require.True(t, errors.As(err, &ce), "errors.As finds a *ConfigError")
	require.Equal(t, "broken.yaml", ce.File)
	require.Len(t, strings.Split(got, "\n"), 12, "one line per problem:\n%s", got)
}

func TestParseMoUStrictTypes(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"duplicate key":    {"partnership:\n  name: a\n  name: b\n", "t.yaml:3: partnership.name: duplicate field"},
		"list for string":  {"partnership:\n  name: [a]\n", "t.yaml:2: partnership.name: want a string"},
		"string for bool":  {"rules:\n  anonymous_submissions: sometimes\n", "t.yaml:2: rules.anonymous_submissions: want true or false"},
		"string for int":   {"rules:\n  limits:\n    max_bytes: lots\n", "t.yaml:3: rules.limits.max_bytes: want an integer"},
		"unknown top":      {"partners: []\n", "t.yaml:1: partners: unknown field"},
		"not yaml":         {"partnership: [\n", "t.yaml:1: "},
		"empty":            {"", "t.yaml: the MoU is empty"},
		"only a comment":   {"# nothing\n", "t.yaml: the MoU is empty"},
		"scalar root":      {"hello\n", "t.yaml:1: want a mapping"},
		"no members":       {"partnership: {name: a, version: b}\n", "members: required"},
		"jurisdiction low": {strings.Replace(string(policy.DemoMoUYAML()), `jurisdiction: DE`, `jurisdiction: de`, 1), `members[2].jurisdiction: "de" is not an ISO 3166-1 alpha-2`},
		"not a country":    {strings.Replace(string(policy.DemoMoUYAML()), `jurisdiction: DE`, `jurisdiction: EU`, 1), `"EU" is not an ISO 3166-1 alpha-2`},
		"relay for member": {strings.Replace(string(policy.DemoMoUYAML()), "relay_for: []\n    suspended: false\n    contact:\n      desk: Bank One", "relay_for: [identity--0fd9d05e-820a-5a62-aa19-b73cd97bff54]\n    suspended: false\n    contact:\n      desk: Bank One", 1), `is the identity of member "isp-two"`},
		"duplicate member": {strings.Replace(string(policy.DemoMoUYAML()), "id: le-bravo", "id: le-alpha", 1), `duplicate member "le-alpha"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ParseMoU("t.yaml", []byte(tc.yaml))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEmptyOrBrokenPolicySharesNothing(t *testing.T) {
	_, err := policy.NewEngine(nil)
	require.ErrorIs(t, err, policy.ErrNoMoU)
	_, err = policy.NewEngine(&policy.MoU{})
	require.ErrorIs(t, err, policy.ErrNoMoU)
	m := policy.DemoMoU()
	m.Rules.PersonalData = "maybe"
	_, err = policy.NewEngine(m)
	require.ErrorContains(t, err, "rules.personal_data")

	bundle := readCase(t, "green-tlp1-to-all.json")
	for name, e := range map[string]*policy.Engine{"nil engine": nil, "zero engine": {}} {
		t.Run(name, func(t *testing.T) {
			d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundle})
			require.Equal(t, policy.Reject, d.Verdict)
			require.Empty(t, d.Routes)
			require.Equal(t, policy.CodeNoPolicy, d.Reasons[0].Code)
		})
	}
}
