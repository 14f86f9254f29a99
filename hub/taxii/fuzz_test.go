package taxii

import (
	"encoding/json"
	"net/url"
	"testing"
)

// FuzzRequestInput: what a member sends (query strings, POST bodies)
// never crashes the server, and an accepted envelope becomes a valid
// bundle with one status entry per object.
func FuzzRequestInput(f *testing.F) {
	f.Add("added_after=2026-01-01T00:00:00Z&limit=5&match[type]=indicator,malware&match[version]=first", []byte(`{"objects":[{"id":"x--1","type":"x","modified":"2026-01-01T00:00:00Z"}]}`))
	f.Add("next=12-3&match[version]=all,2026-01-01T00:00:00.5Z", []byte(`{"type":"bundle","objects":[{}, {"id":1}]}`))
	f.Add("limit=-1&next=--", []byte(`{"objects":null}`))
	f.Add("", []byte(" {\"more\" : [\"]\\\"\"], \"obj\\u0065cts\" :\n[ {\"id\":\"a--1\",\"x\":{\"}\":[1,2]}} , {\"id\":\"b\\\"--2\"} ],\"objects\":[{}]} "))
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		if v, err := url.ParseQuery(query); err == nil {
			_, _ = parseQuery(v, "last")
		}
		_ = elements(objectsSpan(body)) // what the index reads of a share message: no panic, no endless loop
		bundle, objects, err := bundleOf(body)
		if err != nil {
			return
		}
		var b struct{ Objects []json.RawMessage }
		if err := json.Unmarshal(bundle, &b); err != nil {
			t.Fatalf("bundle of an accepted envelope is not JSON: %v\n%s", err, bundle)
		}
		if len(b.Objects) != len(objects) {
			t.Fatalf("%d objects in the bundle, %d in the status", len(b.Objects), len(objects))
		}
	})
}
