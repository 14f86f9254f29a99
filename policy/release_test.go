package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

// TestRelease: a released decision keeps every field but has no parts, and
// the next decisions, parsed with the recycled memory, are unchanged.
func TestRelease(t *testing.T) {
	e := demoEngine(t)
	a := readCase(t, "mixed-green-red-addressed.json")
	b := readCase(t, "green-tlp2-to-all.json")
	reqA := policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: a}
	reqB := policy.Request{Sender: "cert-three", Bundle: b}
	fresh := func(req policy.Request) (policy.Decision, [][]byte) {
		d := e.Decide(req)
		var parts [][]byte
		for _, r := range d.Routes {
			p, err := d.Part(r)
			require.NoError(t, err)
			parts = append(parts, p)
		}
		return d, parts
	}
	wantA, partsA := fresh(reqA)
	wantB, partsB := fresh(reqB)
	var released []policy.Decision // checked again after later decisions reuse their memory
	var wants []policy.Decision
	for range 3 {
		for _, c := range []struct {
			req   policy.Request
			want  policy.Decision
			parts [][]byte
		}{{reqA, wantA, partsA}, {reqB, wantB, partsB}} {
			d, parts := fresh(c.req)
			require.Equal(t, c.parts, parts)
			d.Release()
			d.Release() // a second call does nothing
			require.Equal(t, c.want.Objects, d.Objects, "object decisions outlive the document")
			require.Equal(t, c.want.Routes, d.Routes)
			require.Equal(t, c.want.Reasons, d.Reasons)
			_, err := d.Part(d.Routes[0])
			require.ErrorIs(t, err, policy.ErrNoDocument)
			released, wants = append(released, d), append(wants, c.want)
		}
	}
	for k := range released {
		require.Equal(t, wants[k].Objects, released[k].Objects)
		require.Equal(t, wants[k].Reasons, released[k].Reasons)
	}
}
