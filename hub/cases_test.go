package hub_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// connectAll connects every demo member with its own credentials.
func connectAll(t *testing.T, h *hubtest.Hub) map[string]*hubtest.Member {
	t.Helper()
	ms := map[string]*hubtest.Member{}
	for _, m := range policy.DemoMoU().Members {
		ms[m.ID] = h.Member(t, m.ID)
	}
	return ms
}

// TestPolicyCasesEndToEnd submits every row of policy-cases/CASES.tsv as
// its sender, with the sender's own credentials, and checks with each
// member's own credentials that exactly the listed receivers got it, and
// that the sender got the right receipt.
func TestPolicyCasesEndToEnd(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	for _, c := range stixtest.PolicyCases(t) {
		file, sender, verdict, receivers, bundle := c.File, c.Sender, c.Verdict, c.Receivers, c.Bundle
		t.Run(strings.TrimSuffix(file, ".json"), func(t *testing.T) {
			members[sender].Submit(t, bundle, wire.SubmitOptions{To: c.To, Community: c.Community})

			r := members[sender].NextReceipt(t, 10*time.Second)
			require.Equal(t, verdict, r.Verdict.String(), "reasons: %+v", r.Reasons)
			require.Equal(t, sender, r.Member)
			require.NotEmpty(t, r.PolicyVersion)

			want := map[string]int{}
			for _, rt := range r.Routes {
				for _, a := range rt.Audience {
					want[a]++
				}
			}
			var routed []string
			for id := range want {
				routed = append(routed, id)
			}
			slices.Sort(routed)
			expected := slices.Clone(receivers)
			slices.Sort(expected)
			require.Equal(t, expected, routed, "receivers named by the receipt's routes")
			got := hubtest.ExpectShares(t, members, want, 300*time.Millisecond)
			for id, shares := range got {
				for _, s := range shares {
					require.Equal(t, r.Submission, s.Headers().Get(wire.HeaderSubmission), "%s got another submission", id)
					require.Equal(t, sender, s.Headers().Get(wire.HeaderSender))
					require.Contains(t, strings.Split(s.Headers().Get(wire.HeaderAudience), ","), id)
				}
			}
			for _, rt := range r.Routes {
				require.NotContains(t, rt.Audience, sender)
			}
			if strings.HasPrefix(file, "classified-") {
				require.True(t, r.Classified)
				require.Empty(t, r.Objects, "a classified receipt lists no objects")
			}
		})
	}
}
