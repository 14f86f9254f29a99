package policy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

// withFinanceAccepts is the demo MoU with finance's accepts_from replaced
// by the YAML value v.
func withFinanceAccepts(v string) []byte {
	return []byte(strings.Replace(string(policy.DemoMoUYAML()), "accepts_from: members", "accepts_from: "+v, 1))
}

// TestAcceptsFromForms: who may address a community, in each form the MoU
// allows; its members always may, and receivers are its members only.
func TestAcceptsFromForms(t *testing.T) {
	green := bundleOf(indicator("01", marked(green1)))
	for form, admitted := range map[string][]string{
		"members":                   {"bank-one"},
		"partnership":               {"bank-one", "le-alpha", "le-bravo", "isp-two", "cert-three"},
		"[law-enforcement]":         {"bank-one", "le-alpha", "le-bravo"},
		"[cert, isp-two]":           {"bank-one", "isp-two", "cert-three"},
		"[]":                        {"bank-one"},
		"\n      - law-enforcement": {"bank-one", "le-alpha", "le-bravo"},
	} {
		t.Run(form, func(t *testing.T) {
			m, err := policy.ParseMoU("t.yaml", withFinanceAccepts(form))
			require.NoError(t, err)
			e, err := policy.NewEngine(m)
			require.NoError(t, err)
			for _, mb := range m.Members {
				d := e.Decide(policy.Request{Sender: mb.ID, Community: "finance", Bundle: green})
				if mb.ID == "bank-one" {
					// Alone in finance: admitted, but nobody else receives it.
					require.Contains(t, codes(d.Objects[0].Reasons), policy.CodeAudienceEmpty)
					continue
				}
				if !slices.Contains(admitted, mb.ID) {
					require.Equal(t, policy.Reject, d.Verdict, "%s", mb.ID)
					require.Equal(t, []policy.Code{policy.CodeAudienceNotInCommunity}, codes(d.Reasons), "%s", mb.ID)
					continue
				}
				require.Equal(t, policy.Accept, d.Verdict, "%s: %+v", mb.ID, d.Reasons)
				require.Equal(t, []string{"bank-one"}, d.Receivers(), "%s: receivers are the community's members only", mb.ID)
				require.Equal(t, "c.finance", d.Routes[0].Scope)
				require.Equal(t, []string{"bank-one"}, d.Routes[0].ScopeMembers, "the scope's set is its members, not the sender")
			}
		})
	}
}

func TestAcceptsFromInvalid(t *testing.T) {
	for form, want := range map[string]string{
		"everyone":               `communities[1].accepts_from[0]: "everyone" is neither a member type`,
		"[partnership, isp-two]": `communities[1].accepts_from: "partnership" stands alone`,
		"[police]":               `communities[1].accepts_from[0]: "police" is neither`,
		"[isp-two, le-zulu]":     `communities[1].accepts_from[1]: "le-zulu" is neither`,
		"{who: all}":             `communities[1].accepts_from: want partnership, members, or a list`,
		"[[isp-two]]":            `communities[1].accepts_from: want a member type or a member id`,
	} {
		t.Run(form, func(t *testing.T) {
			_, err := policy.ParseMoU("t.yaml", withFinanceAccepts(form))
			require.ErrorContains(t, err, want)
			require.Regexp(t, `^t\.yaml:\d+: `, err.Error(), "names the file and line")
		})
	}
	t.Run("a member id that is also a type", func(t *testing.T) {
		y := strings.ReplaceAll(string(withFinanceAccepts("[cert]")), "cert-three", "cert")
		_, err := policy.ParseMoU("t.yaml", []byte(y))
		require.ErrorContains(t, err, `"cert" is both a member type and a member id`)
	})
}
