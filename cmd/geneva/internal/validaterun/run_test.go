package validaterun

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/genevahub/geneva/schemas"
)

// writeFiles writes n files, every third one not JSON, and names a missing
// file after them.
func writeFiles(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for i := range n {
		body := `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[]}`
		if i%3 == 2 {
			body = "not json"
		}
		f := filepath.Join(dir, "f"+string(rune('a'+i))+".json")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		names = append(names, f)
	}
	return append(names, filepath.Join(dir, "missing.json"))
}

// Results come in argument order, each with its own report or read error,
// however the workers finish; NextReady is false on the last.
func TestResultsInArgumentOrder(t *testing.T) {
	names := writeFiles(t, 12)
	v := schemas.NewValidator(Options())
	i := 0
	var last Result
	for res := range Start(nil, v, names, 1<<20).Results() {
		if res.Name != names[i] {
			t.Fatalf("result %d is for %s, want %s", i, res.Name, names[i])
		}
		switch {
		case i == len(names)-1:
			if res.Err == nil {
				t.Errorf("%s: no error for a missing file", res.Name)
			}
		case i%3 == 2:
			if res.Err != nil || len(res.Report.Errors) != 1 || res.Report.Errors[0].Rule != schemas.RuleJSONSyntax {
				t.Errorf("%s: want one json.syntax error, got %v %v", res.Name, res.Err, res.Report.Errors)
			}
		default:
			if res.Err != nil || len(res.Report.Errors) != 1 || res.Report.Errors[0].Rule != schemas.RulePropertyEmpty {
				t.Errorf("%s: want the empty-objects error, got %v %v", res.Name, res.Err, res.Report.Errors)
			}
		}
		i, last = i+1, res
	}
	if i != len(names) || last.NextReady {
		t.Fatalf("%d results for %d names; last NextReady %v", i, len(names), last.NextReady)
	}
}

// Leaving the loop early stops the run (the workers end; nothing blocks).
func TestResultsStopEarly(t *testing.T) {
	names := writeFiles(t, 20)
	for range Start(nil, schemas.NewValidator(Options()), names, 1<<20).Results() {
		break
	}
}
