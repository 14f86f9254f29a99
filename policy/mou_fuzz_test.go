package policy_test

import (
	"os"
	"testing"

	"github.com/genevahub/geneva/policy"
)

// FuzzParseMoU: any bytes give an MoU or an error, never a panic; the same
// bytes give the same answer; an MoU that parses either builds an engine
// or is refused with an error (fail closed), never half of each.
func FuzzParseMoU(f *testing.F) {
	demo, err := os.ReadFile("demo-mou.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(""))
	f.Add([]byte("partnership: {name: x, version: 1}\nmembers: []\n"))
	f.Add([]byte("members:\n  - id: le-alpha\n    type: police\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m1, err1 := policy.ParseMoU("fuzz.yaml", data)
		m2, err2 := policy.ParseMoU("fuzz.yaml", data)
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %v / %v", err1, err2)
		}
		if err1 != nil {
			if m1 != nil || m2 != nil {
				t.Fatalf("an error with an MoU: %v", err1)
			}
			return
		}
		e, err := policy.NewEngine(m1)
		if (e == nil) == (err == nil) {
			t.Fatalf("NewEngine gave engine %v and error %v", e != nil, err)
		}
	})
}
