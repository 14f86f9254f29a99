package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

const (
	tableBegin = "<!-- reason-codes:begin (generated from policy/codes.go by `go test ./policy -update`) -->"
	tableEnd   = "<!-- reason-codes:end -->"
)

func codeTable() string {
	var b strings.Builder
	b.WriteString("| code | rejects | meaning |\n| --- | --- | --- |\n")
	for _, c := range policy.Codes {
		rejects := c.Rejects
		if rejects == "" {
			rejects = "— (note)"
		}
		b.WriteString("| `" + string(c.Code) + "` | " + rejects + " | " + strings.ReplaceAll(c.Description, "|", `\|`) + " |\n")
	}
	return b.String()
}

// TestDocsReasonCodeTable keeps docs/policy.md's table equal to the
// catalogue in codes.go.
func TestDocsReasonCodeTable(t *testing.T) {
	path := filepath.Join(stixtest.RepoRoot(t), "docs", "policy.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	before, rest, ok := strings.Cut(string(doc), tableBegin)
	require.True(t, ok, "docs/policy.md lacks the begin marker")
	_, after, ok := strings.Cut(rest, tableEnd)
	require.True(t, ok, "docs/policy.md lacks the end marker")
	want := before + tableBegin + "\n" + codeTable() + tableEnd + after
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	require.Equal(t, want, string(doc), "docs/policy.md's reason-code table is out of date: run `go test ./policy -update`")
}

// TestCodesCatalogue: every code is catalogued once, and every code
// constant the engine can give is in the catalogue.
func TestCodesCatalogue(t *testing.T) {
	seen := map[policy.Code]bool{}
	for _, c := range policy.Codes {
		require.False(t, seen[c.Code], "duplicate %s", c.Code)
		seen[c.Code] = true
		require.Regexp(t, `^[a-z_]+\.[a-z_]+$`, string(c.Code))
		require.Contains(t, []string{"", "object", "submission"}, c.Rejects)
		require.NotEmpty(t, c.Description)
	}
	src, err := os.ReadFile("codes.go")
	require.NoError(t, err)
	consts := strings.Count(string(src), " Code = \"")
	require.Equal(t, consts, len(policy.Codes), "every Code constant in codes.go is in Codes")
}
