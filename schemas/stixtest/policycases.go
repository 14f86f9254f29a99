package stixtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// PolicyCase is one row of policy-cases/CASES.tsv: a bundle, who submits
// it and how it is addressed, and what policy must decide.
type PolicyCase struct {
	File      string // the bundle's file name in policy-cases/
	Sender    string
	To        []string // named recipients; nil for none
	Community string   // "" for none
	Verdict   string
	Receivers []string // who must get it; nil for nobody
	Bundle    []byte
}

// PolicyCases reads every row of policy-cases/CASES.tsv with its bundle.
func PolicyCases(t testing.TB) []PolicyCase {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "policy-cases")
	table, err := os.ReadFile(filepath.Join(dir, "CASES.tsv"))
	if err != nil {
		t.Fatalf("policy cases: %v", err)
	}
	var cases []PolicyCase
	for i, row := range strings.Split(strings.TrimSpace(string(table)), "\n")[1:] {
		f := strings.Split(row, "\t")
		if len(f) != 6 {
			t.Fatalf("CASES.tsv:%d: %d fields, want 6", i+2, len(f))
		}
		c := PolicyCase{File: f[0], Sender: f[1], To: listField(f[2]), Community: f[3], Verdict: f[4], Receivers: listField(f[5])}
		if c.Community == "-" {
			c.Community = ""
		}
		if c.Bundle, err = os.ReadFile(filepath.Join(dir, c.File)); err != nil {
			t.Fatalf("CASES.tsv:%d: %v", i+2, err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatal("CASES.tsv has no cases")
	}
	return cases
}

func listField(f string) []string {
	if f == "-" || f == "" {
		return nil
	}
	return strings.Split(f, ",")
}
