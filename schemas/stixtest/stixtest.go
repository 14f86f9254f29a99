// Package stixtest finds what tests share: the ../shared folder (OASIS
// schemas, the STIX corpus, policy cases) and the external test peers that
// scripts/test.sh installs and announces through environment variables.
package stixtest

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// SharedDir is the project's shared/ folder: $GENEVA_SHARED, or ../shared
// beside the repository. A missing folder fails the test: the corpus is
// evidence, never optional.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GENEVA_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "corpus")); err != nil {
		t.Fatalf("stixtest: shared folder not found at %s (set GENEVA_SHARED): %v", dir, err)
	}
	return dir
}

// RepoRoot is the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
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

// CorpusFiles lists the JSON files of shared/corpus/<which> ("valid" or
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
