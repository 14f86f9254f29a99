package oasis_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas/oasis"
	"github.com/genevahub/geneva/schemas/stixtest"
)

var (
	loadOnce sync.Once
	loaded   *oasis.Checker
	loadErr  error
)

// checker loads the OASIS schemas from the shared folder once per test binary.
func checker(t testing.TB) *oasis.Checker {
	t.Helper()
	dir := schemaDir(t)
	loadOnce.Do(func() { loaded, loadErr = oasis.Load(dir) })
	require.NoError(t, loadErr)
	return loaded
}

func schemaDir(t testing.TB) string {
	return filepath.Join(stixtest.SharedDir(t), "stix2-json-schemas", "schemas")
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
