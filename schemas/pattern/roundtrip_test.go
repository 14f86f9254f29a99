package pattern_test

import (
	"testing"

	"github.com/genevahub/geneva/schemas/pattern"
	"github.com/stretchr/testify/require"
)

// requireRoundTrip checks that p.String() parses back to the same tree
// (byte offsets aside) and prints identically.
func requireRoundTrip(t testing.TB, p *pattern.Pattern) {
	t.Helper()
	printed := p.String()
	q, err := pattern.Parse(printed)
	require.NoError(t, err, "re-parse of %q", printed)
	require.Equal(t, printed, q.String())
	require.Equal(t, withoutOffsets(p), withoutOffsets(q), "tree of %q", printed)
}

// withoutOffsets zeroes every byte offset in p (in place) so trees parsed
// from differently spaced text compare equal.
func withoutOffsets(p *pattern.Pattern) *pattern.Pattern {
	p.Inspect(func(n any) bool {
		switch n := n.(type) {
		case *pattern.Observation:
			n.Pos = 0
		case *pattern.Group:
			n.Pos = 0
		case *pattern.ObservationOp:
			n.Pos = 0
		case *pattern.Qualified:
			n.Pos = 0
			for i := range n.Qualifiers {
				n.Qualifiers[i].Pos = 0
			}
		case *pattern.ComparisonOp:
			n.Pos = 0
		case *pattern.Comparison:
			n.Pos = 0
			n.Path.Pos = 0
		}
		return true
	})
	return p
}
