package classify_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy/classify"
)

// The fast path lets through every form the rules can match: each positive
// case, each level in each spelling, each portion mark.
func TestFastPathCoversRules(t *testing.T) {
	g := guard(t, classify.Config{ExtraTerms: []string{"OFFICIAL-SENSITIVE", "CUI"}})
	for _, c := range textPositives {
		require.True(t, classify.Scan(g, c.text), c.text)
		require.True(t, classify.FullRules(g, c.text), c.text)
	}
	for _, s := range []string{"TOPSECRET", "top_secret", "NATO-SECRET", "VSNFD", "VS_NFD", "STRENGGEHEIM",
		"COSMICTOPSECRET", "(-S-) x", "TS-//SI", "TS_//_SI", "( ts ) x", "(NR) x", "(CTS//ATOMAL) x",
		"Einstufung: VS-NfD", "Declassify on: 2040", "OFFICIAL_SENSITIVE", "CUI//SP-CTI"} {
		require.True(t, classify.Scan(g, s), s)
		require.True(t, classify.FullRules(g, s), s)
	}
	// And skips ordinary strings without looking further.
	for _, s := range []string{"indicator--2312f80a-28ca-5c17-ac28-009444abc81f", "2026-10-15T08:30:00.000Z",
		"https://attack.mitre.org/techniques/T1091", "Adversaries may use removable media (Citation: X).",
		"[url:value = 'https://login.example-bank.test/verify']", "d41d8cd98f00b204e9800998ecf8427e"} {
		require.False(t, classify.Scan(g, s), s)
	}
}
