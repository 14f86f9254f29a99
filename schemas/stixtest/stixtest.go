// Package stixtest finds what tests share: the repository's testdata folder
// (the STIX corpus, the policy cases), the vendored OASIS schemas, and the
// external test peers that scripts/test.sh installs and announces through
// environment variables. Everything but the peers is inside the repository.
package stixtest

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// SharedDir is the repository's testdata folder: corpus/ (STIX 2.1 files
// with their sources and licences) and policy-cases/. A missing folder fails
// the test: the corpus is evidence, never optional. (The name dates from
// when the folder lived beside the repository.)
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "testdata")
	if _, err := os.Stat(filepath.Join(dir, "corpus")); err != nil {
		t.Fatalf("stixtest: test corpus not found at %s: %v", dir, err)
	}
	return dir
}

// SchemasDir is the vendored OASIS STIX 2.1 JSON schemas folder (common/,
// sdos/, sros/, observables/), the one package schemas/oasis embeds.
func SchemasDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "schemas", "oasis", "stix2-json-schemas", "schemas")
}

// RepoRoot is the folder holding go.mod: found from this source file's own
// path (so a test that changed its working directory still finds it), else
// upwards from the working directory (a binary built with -trimpath).
func RepoRoot(t testing.TB) string {
	t.Helper()
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("stixtest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("stixtest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// CorpusFiles lists the JSON files of testdata/corpus/<which> ("valid" or
// "invalid"), sorted.
func CorpusFiles(t testing.TB, which string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(SharedDir(t), "corpus", which, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("stixtest: no corpus files in %s: %v", which, err)
	}
	sort.Strings(files)
	return files
}

// Peer returns the value of the environment variable that announces an
// external test peer (a path or an address). When it is missing the test
// fails under CI or GENEVA_REQUIRE_PEERS=1 (scripts/test.sh sets both), and
// is skipped with a loud message otherwise, so `go test ./...` on a laptop
// still runs everything else.
func Peer(t testing.TB, env string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	if os.Getenv("CI") != "" || os.Getenv("GENEVA_REQUIRE_PEERS") != "" {
		t.Fatalf("test peer missing: $%s is not set (run `make test`, which installs and starts the peers)", env)
	}
	t.Skipf("PEER MISSING: $%s is not set; run `make test` to install and start test peers", env)
	return ""
}
