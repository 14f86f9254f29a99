package oasis_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas/oasis"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// checker is the embedded (vendored) OASIS schemas' checker.
func checker(t testing.TB) *oasis.Checker {
	t.Helper()
	k, err := oasis.Embedded()
	require.NoError(t, err)
	return k
}

// schemaDir is the vendored schemas' folder in the repository, for the tests
// of Load.
func schemaDir(t testing.TB) string {
	return stixtest.SchemasDir(t)
}

// label is the first word of a corpus file's .why.txt ("schema",
// "spec-only", "malformed-json"), or "valid" for files in corpus/valid.
func label(t testing.TB, file string) string {
	t.Helper()
	if filepath.Base(filepath.Dir(file)) == "valid" {
		return "valid"
	}
	why, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".why.txt")
	require.NoError(t, err)
	prefix, _, ok := strings.Cut(string(why), ":")
	require.True(t, ok, "%s.why.txt has no prefix", file)
	return prefix
}

func corpus(t testing.TB) []string {
	return append(stixtest.CorpusFiles(t, "valid"), stixtest.CorpusFiles(t, "invalid")...)
}
