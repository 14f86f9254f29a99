package policy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

var update = flag.Bool("update", false, "rewrite the golden decisions and the reason-code table of docs/policy.md")

// golden is the stored form of a decision: the whole-submission facts in
// full, one compact line per object and per route, so a reviewer reads a
// diff object by object.
func golden(d policy.Decision) []byte {
	var b bytes.Buffer
	line := func(v any) string {
		j, _ := json.Marshal(v)
		return string(j)
	}
	b.WriteString("{\n")
	b.WriteString(`  "verdict": ` + line(d.Verdict) + ",\n")
	b.WriteString(`  "policy_version": ` + line(d.PolicyVersion) + ",\n")
	b.WriteString(`  "classified": ` + line(d.Classified) + ",\n")
	b.WriteString(`  "anonymous": ` + line(d.Anonymous) + ",\n")
	b.WriteString(`  "receivers": ` + line(nonNilStrings(d.Receivers())) + ",\n")
	writeList(&b, "reasons", len(d.Reasons), func(i int) string { return line(d.Reasons[i]) })
	b.WriteString(",\n")
	writeList(&b, "routes", len(d.Routes), func(i int) string {
		r := d.Routes[i]
		return line(map[string]any{"tlp": r.TLP, "scope": r.Scope, "audience": r.Audience, "archive": r.Archive, "objects": r.Objects})
	})
	b.WriteString(",\n")
	writeList(&b, "objects", len(d.Objects), func(i int) string {
		o := d.Objects[i]
		var rs []string
		for _, r := range o.Reasons {
			rs = append(rs, string(r.Code)+" "+r.Pointer)
		}
		return line(map[string]any{"id": o.ID, "tlp": o.TLP, "shared": o.Shared, "audience": o.Audience, "archive": o.Archive, "reasons": nonNilStrings(rs)})
	})
	b.WriteString("\n}\n")
	return b.Bytes()
}

func writeList(b *bytes.Buffer, name string, n int, item func(int) string) {
	b.WriteString(`  "` + name + `": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    " + item(i))
	}
	if n > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]")
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestGoldenDecisions decides every valid corpus file and every policy case
// as bank-one with no recipients, and one indicator from every member to
// every community, and compares with
// testdata/golden/<dir>/<file>.decision.json (`go test ./policy -update`
// rewrites them).
func TestGoldenDecisions(t *testing.T) {
	e := demoEngine(t)
	shared := stixtest.SharedDir(t)
	cases, err := filepath.Glob(filepath.Join(shared, "policy-cases", "*.json"))
	require.NoError(t, err)
	sets := map[string][]string{"valid": stixtest.CorpusFiles(t, "valid"), "policy-cases": cases}
	for dir, files := range sets {
		for _, file := range files {
			name := dir + "/" + strings.TrimSuffix(filepath.Base(file), ".json")
			t.Run(name, func(t *testing.T) {
				bundle, err := os.ReadFile(file)
				require.NoError(t, err)
				checkGolden(t, name, e.Decide(policy.Request{Sender: "bank-one", Bundle: bundle}))
			})
		}
	}
	// Who may address which community (accepts_from): a TLP:GREEN
	// indicator from every demo member to every community.
	green := bundleOf(indicator("01", marked(green1)))
	for _, m := range policy.DemoMoU().Members {
		for _, c := range policy.DemoMoU().Communities {
			name := "addressing/" + m.ID + "-to-" + c.ID
			t.Run(name, func(t *testing.T) {
				checkGolden(t, name, e.Decide(policy.Request{Sender: m.ID, Community: c.ID, Bundle: green}))
			})
		}
	}
}

// checkGolden compares d with testdata/golden/<name>.decision.json, or
// rewrites it under -update.
func checkGolden(t *testing.T, name string, d policy.Decision) {
	t.Helper()
	got := golden(d)
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name)+".decision.json")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run `go test ./policy -update` to create it")
	require.Equal(t, string(want), string(got))
}
