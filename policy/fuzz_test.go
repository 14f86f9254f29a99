package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// FuzzDecide feeds arbitrary bytes (and a few request shapes) to Decide:
// it must never panic, and the same input must give the same decision.
func FuzzDecide(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join(stixtest.SharedDir(f), "policy-cases", "*.json"))
	for i, c := range cases {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i))
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[{}]}`), uint8(0))
	f.Add([]byte(`[]`), uint8(1))
	e := demoEngine(f)
	f.Fuzz(func(t *testing.T, bundle []byte, shape uint8) {
		req := policy.Request{Sender: []string{"bank-one", "le-alpha", "isp-two", "nobody"}[shape%4], Bundle: bundle}
		switch shape / 4 % 4 {
		case 1:
			req.To = []string{"le-alpha", "cert-three"}
		case 2:
			req.Community = "le"
		case 3:
			req.Anonymous = true
		}
		d1 := e.Decide(req)
		d2 := e.Decide(req)
		j1, err := json.Marshal(d1)
		if err != nil {
			t.Fatal(err)
		}
		j2, _ := json.Marshal(d2)
		if string(j1) != string(j2) {
			t.Fatalf("same input, different decisions:\n%s\n%s", j1, j2)
		}
		for _, r := range d1.Routes {
			if _, err := d1.Part(r); err != nil {
				t.Fatalf("route %v: %v", r, err)
			}
			for _, m := range r.Audience {
				if m == req.Sender {
					t.Fatalf("the sender %s is in the audience of %v", m, r)
				}
			}
		}
		if d1.Verdict == policy.Reject && len(d1.Routes) > 0 {
			t.Fatalf("a rejected submission has routes")
		}
	})
}
