package webhook_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/genevahub/geneva/connectors/webhook"
	"github.com/genevahub/geneva/schemas"
)

// FuzzReport: whatever a partner posts, an incident report that passes
// Validate becomes valid STIX 2.1 (by our validator), and one that does not
// is refused with an error, never a panic.
func FuzzReport(f *testing.F) {
	f.Add([]byte(`{"title":"Phishing wave","occurred":"2026-11-01T08:00:00Z","tlp":"green","indicators":[{"type":"url","value":"https://login.example.test/x"},{"type":"ipv4","value":"192.0.2.7"}]}`))
	f.Add([]byte(`{"title":"x","description":"it's a \\ test","occurred":"2026-11-01T08:00:00+02:00","indicators":[{"type":"domain","value":"a'b.example"},{"type":"sha256","value":"` + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" + `"}]}`))
	f.Add([]byte(`{"title":"","occurred":"yesterday"}`))
	v := schemas.NewValidator(schemas.Options{})
	const identity = "identity--7d7c6e5c-3e4e-4d0e-8f3a-2b1c0d9e8f7a"
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var r webhook.Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		_, bundle, err := r.Bundle(identity, now)
		if err != nil {
			if r.Validate() == nil {
				t.Fatalf("a valid report could not be turned into STIX: %v", err)
			}
			return
		}
		if _, rep := v.Validate(bundle); !rep.Valid() {
			t.Fatalf("report %s gave invalid STIX: %+v\n%s", data, rep.Errors, bundle)
		}
	})
}
