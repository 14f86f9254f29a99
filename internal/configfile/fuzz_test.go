package configfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/configfile"
)

type fuzzTarget struct {
	Name  string            `yaml:"name"`
	Count int               `yaml:"count"`
	On    bool              `yaml:"on"`
	Ratio float64           `yaml:"ratio"`
	Wait  time.Duration     `yaml:"wait"`
	List  []string          `yaml:"list"`
	Map   map[string]string `yaml:"map"`
	Any   any               `yaml:"any"`
	Inner *fuzzTarget       `yaml:"inner"`
}

// FuzzParse: any bytes are parsed and decoded, or refused, never a panic;
// the error is at most MaxErrors problems plus the "more" line; the same
// bytes give the same answer.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: a\ncount: 3\non: true\nwait: 5s\nlist: [a, b]\nmap: {k: v}\nany: {x: [1, 2.5, null]}\ninner: {name: b}\n"))
	f.Add([]byte("a: &x 1\nb: *x\n"))
	f.Add([]byte("name: a\nname: b\n"))
	f.Add([]byte("x: 1\n---\ny: 2\n"))
	f.Add([]byte("<<: {a: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		decode := func() string {
			root, err := configfile.Parse("f.yaml", data)
			if err != nil {
				return err.Error()
			}
			if root == nil {
				return ""
			}
			d := configfile.NewDecoder("f.yaml")
			var v fuzzTarget
			d.Decode(root, &v, "")
			if len(d.Errs) > 0 {
				return d.Errs.Error()
			}
			return ""
		}
		a, b := decode(), decode()
		if a != b {
			t.Fatalf("not deterministic:\n%s\n---\n%s", a, b)
		}
		if n := strings.Count(a, "\n") + 1; n > configfile.MaxErrors+1 {
			t.Fatalf("%d lines of errors", n)
		}
	})
}
