package pattern_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/genevahub/geneva/schemas/pattern"
	"github.com/genevahub/geneva/schemas/stixtest"
	"github.com/stretchr/testify/require"
)

// stixPatterns returns the pattern of every indicator with pattern_type
// "stix" found anywhere in the JSON document (bundles, nested objects).
func stixPatterns(t *testing.T, file string) []string {
	t.Helper()
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return nil // the malformed-JSON corpus file holds no pattern to test
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "indicator" && v["pattern_type"] == "stix" {
				if p, ok := v["pattern"].(string); ok {
					out = append(out, p)
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}

func TestCorpusValidPatternsParse(t *testing.T) {
	count := 0
	for _, file := range stixtest.CorpusFiles(t, "valid") {
		for _, s := range stixPatterns(t, file) {
			count++
			t.Run(filepath.Base(file), func(t *testing.T) {
				p, err := pattern.Parse(s)
				require.NoError(t, err, "pattern %q", s)
				requireRoundTrip(t, p)
			})
		}
	}
	// The corpus holds 45 STIX indicators (39 distinct patterns); a drop
	// means the walk above stopped finding them.
	require.GreaterOrEqual(t, count, 45, "stix indicators found in the valid corpus")
}

func TestCorpusInvalidPatternsFail(t *testing.T) {
	dir := filepath.Join(stixtest.SharedDir(t), "corpus", "invalid")
	cases := map[string]string{
		"validator-indicator-invalid-pattern.json":                   `unexpected '"'`,
		"validator-indicator-pattern-custom-invalid-format.json":     `object type "ab"`,
		"validator-indicator-pattern-custom-property-too-short.json": `property name "n"`,
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			patterns := stixPatterns(t, filepath.Join(dir, name))
			require.Len(t, patterns, 1)
			_, err := pattern.Parse(patterns[0])
			require.Error(t, err)
			require.Contains(t, err.Error(), want)
		})
	}
}
