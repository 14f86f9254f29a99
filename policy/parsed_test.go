package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

// TestDecideReusesTheParse: a Request carrying the engine's parse of its
// very bytes is decided from that parse, not from reading Bundle again
// (the bytes are spoiled after parsing, so a second parse would reject),
// and a parse of other bytes or by another engine is never taken.
func TestDecideReusesTheParse(t *testing.T) {
	e := demoEngine(t)
	fresh := func() []byte { return bundleOf(indicator("01", marked(green1))) }

	b := fresh()
	parsed := e.Parse(b)
	require.NotNil(t, parsed.Document())
	b[len(b)-1] = 'x' // the same slice, spoiled after the parse (its closing brace, which no parsed value points into)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b, Parsed: parsed})
	require.Equal(t, policy.Accept, d.Verdict, "decided from the parse: %v", d.Reasons)

	d = e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
	require.Equal(t, policy.Reject, d.Verdict, "without the parse the spoiled bytes are read")

	other := fresh()
	other[len(other)-1] = 'x'
	d = e.Decide(policy.Request{Sender: "bank-one", Bundle: other, Parsed: e.Parse(fresh())})
	require.Equal(t, policy.Reject, d.Verdict, "a parse of other bytes is not used")

	e2 := demoEngine(t)
	d = e2.Decide(policy.Request{Sender: "bank-one", Bundle: b, Parsed: parsed})
	require.Equal(t, policy.Reject, d.Verdict, "a parse by another engine is not used")
}
