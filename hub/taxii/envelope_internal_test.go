package taxii

import (
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
