package hub_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// TestIndustryReportsToLawEnforcement: under the demo MoU the le community
// accepts from the whole partnership, finance from its members only. A
// bank's TLP:GREEN report to le reaches the two LE members and nobody else
// (not the other members, not the bank's own inbox); an ISP addressing
// finance is refused with a reason and nothing flows. Each member reads
// with its own credentials.
func TestIndustryReportsToLawEnforcement(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)

	members["bank-one"].Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{Community: "le"})
	r := members["bank-one"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "%+v", r.Reasons)
	require.Equal(t, "bank-one", r.Member, "the sender sees its own receipt")
	require.Len(t, r.Routes, 1)
	require.Equal(t, "c.le", r.Routes[0].Scope)
	require.Equal(t, []string{"le-alpha", "le-bravo"}, r.Routes[0].Audience)

	got := hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1}, 300*time.Millisecond)
	for id, shares := range got {
		s := shares[0]
		require.Equal(t, "c.le", wire.ScopeOf(s.Subject()), "%s", id)
		require.True(t, strings.HasSuffix(s.Subject(), ".bank-one"), "%s: %s", id, s.Subject())
		require.Equal(t, "bank-one", s.Headers().Get(wire.HeaderSender))
		require.Equal(t, "le-alpha,le-bravo", s.Headers().Get(wire.HeaderAudience))
	}

	members["isp-two"].Submit(t, caseBundle(t, "amber-to-all.json"), wire.SubmitOptions{Community: "finance"})
	r = members["isp-two"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Reject, r.Verdict)
	require.Equal(t, policy.CodeAudienceNotInCommunity, r.Reasons[0].Code, "%+v", r.Reasons)
	require.Empty(t, r.Routes)
	hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)
}
