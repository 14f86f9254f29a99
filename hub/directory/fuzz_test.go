package directory_test

import (
	"encoding/json"
	"testing"

	"github.com/genevahub/geneva/hub/directory"
)

// FuzzReply: whatever a member sends, the directory answers with one JSON
// object holding either members or an error, and never panics.
func FuzzReply(f *testing.F) {
	for _, seed := range []string{"", "{}", `{"jurisdiction":"no"}`, `{"type":1}`, `{"sector":"finance","x":1}`, "[", "{} {}", "\xff"} {
		f.Add([]byte(seed))
	}
	members := demo()
	f.Fuzz(func(t *testing.T, data []byte) {
		var r struct {
			Members *[]directory.Member `json:"members"`
			Error   *string             `json:"error"`
		}
		body := directory.Reply(members, data)
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("reply is not JSON: %v: %s", err, body)
		}
		if (r.Members == nil) == (r.Error == nil) {
			t.Fatalf("reply must hold exactly one of members and error: %s", body)
		}
		if r.Error != nil && *r.Error == "" {
			t.Fatalf("empty error: %s", body)
		}
	})
}
