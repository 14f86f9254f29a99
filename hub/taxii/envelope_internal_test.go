package taxii

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// bundleOf keeps every object byte for byte as posted (escapes, spacing,
// key order), reads the first "objects" key (as written or escaped), and
// lists the same objects for the status as it puts in the bundle.
func TestBundleOfKeepsObjectsAsPosted(t *testing.T) {
	first := `{"id":"a--1","x":{"}":[1, 2]},"name":"caf\u00e9 \"q\""}`
	second := `{"id":"b\"--2","modified":"2026-01-01T00:00:00Z","created":"2025-01-01T00:00:00Z"}`
	env := ` {"more" : ["]\""], "obj\u0065cts" :` + "\n[ " + first + " , " + second + ` ],"objects":[{}]} `
	bundle, objects, err := bundleOf([]byte(env))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(bundle), `","objects":[`+first+","+second+"]}") {
		t.Errorf("bundle %s: want the objects as posted", bundle)
	}
	want := []postedObject{{ID: "a--1"}, {ID: `b"--2`, Version: "2026-01-01T00:00:00Z"}}
	if len(objects) != len(want) || objects[0] != want[0] || objects[1] != want[1] {
		t.Errorf("status objects %+v, want %+v", objects, want)
	}
	for _, bad := range []string{`[]`, `{"objects":{}}`, `{"objects":[]}`, `{"objects":[1]}`, `{"objects":[{"id":1}]}`, `{"objects":[{}]`, `{}`} {
		if _, _, err := bundleOf([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// BenchmarkBundleOf: reading a posted envelope of 100 indicators, against
// what it replaced (encoding/json: the envelope into raw objects, then
// each object again for its id and version), in the same run.
//
//	go test -run '^$' -bench BundleOf -benchmem ./hub/taxii/
func BenchmarkBundleOf(b *testing.B) {
	env := indicatorEnvelope(100)
	b.Run("fastjson", func(b *testing.B) {
		b.SetBytes(int64(len(env)))
		for b.Loop() {
			if _, _, err := bundleOf(env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(env)))
		for b.Loop() {
			var e struct{ Objects []json.RawMessage }
			if err := json.Unmarshal(env, &e); err != nil {
				b.Fatal(err)
			}
			for _, raw := range e.Objects {
				var o struct{ ID, Modified, Created string }
				if err := json.Unmarshal(raw, &o); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// indicatorEnvelope is a TAXII envelope of n indicators, as bench/taxii posts.
func indicatorEnvelope(n int) []byte {
	objs := make([]map[string]any, n)
	for i := range objs {
		now := "2026-12-07T18:00:00.000Z"
		objs[i] = map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--00000001-0000-4000-8000-%012x", i),
			"created": now, "modified": now, "name": fmt.Sprintf("bench %d", i),
			"pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": now,
			"object_marking_refs": []string{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		}
	}
	b, _ := json.Marshal(map[string]any{"objects": objs})
	return b
}
