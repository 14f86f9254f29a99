package configfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/internal/hostile"
)

func TestParseRefusesHostileYAMLCheaply(t *testing.T) {
	cases := hostile.YAML(func(p string) string { return p })
	for i := range cases {
		if cases[i].Name == "150k unknown keys" {
			cases[i].Want = "" // only a decoder knows which keys are unknown
		}
	}
	hostile.Run(t, cases, func(in []byte) error {
		_, err := configfile.Parse("c.yaml", in)
		return err
	})
}

func TestParseLocatesProblems(t *testing.T) {
	for in, want := range map[string]string{
		"a: 1\nb:\n  c: 1\n  c: 2\n  c: 3\n": "c.yaml:4: b.c: duplicate field (first at line 3)",
		"a:\n  - x: 1\n    x: 2\n":           "c.yaml:3: a[0].x: duplicate field (first at line 2)",
		"a: 1\nb: 2\nc: \"\xff\"\n":          "c.yaml:3: byte 0xff at column 5 is not UTF-8",
		"a: &x 1\nb: *x\n":                   "c.yaml:1: a: anchor &x",
		"a: 1\n---\na: 2\n":                  "c.yaml:2: a second YAML document",
		"? [a]\n: 1\n":                       "c.yaml:1: a key must be a plain value",
	} {
		_, err := configfile.Parse("c.yaml", []byte(in))
		if err == nil || err.Error()[:len(want)] != want {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}

// TestReadRefusesSpecialAndHugeFiles: /dev/zero and a FIFO with no writer
// get a one-line error at once instead of an endless read or a hang.
func TestReadRefusesSpecialAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, configfile.MaxBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	hostile.RunFiles(t, []hostile.File{
		{Path: "/dev/zero", Want: "/dev/zero: not a regular file"},
		{Path: fifo, Want: "not a regular file"},
		{Path: dir, Want: "not a regular file"},
		{Path: big, Want: "larger than 2097152 bytes"},
	}, func(path string) error {
		_, err := configfile.Read(path)
		return err
	})
}
