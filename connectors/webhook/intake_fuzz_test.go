package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/internal/httpserve"
)

// FuzzIntake drives the webhook intake end to end over HTTP: whatever the
// Authorization header and body, the answer is one of the documented
// statuses with a JSON body, 401 exactly when the token is not sent as
// "Bearer s3cret", and nothing over the limit is accepted.
func FuzzIntake(f *testing.F) {
	const limit = 64 << 10
	f.Add("Bearer s3cret", []byte(report))
	f.Add("s3cret", []byte(report))
	f.Add("bearer s3cret", connectortest.Bundle("fuzz"))
	f.Add("Bearer s3cret", []byte(`{"title":"x","occurred":"2026-01-01T00:00:00Z","indicators":[{"type":"domain","value":"a.example"}]}`))
	f.Add("Bearer s3cret", []byte(`[[[[`))
	d := deps()
	d.MaxBytes = func() int64 { return limit }
	u, _ := intakeWith(f, `"path":"/report","wait":"5s","token":"s3cret"`, d, func(connectors.Envelope) error { return nil })
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, auth string, body []byte) {
		req, err := http.NewRequest("POST", u, bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header["Authorization"] = []string{auth}
		resp, err := client.Do(req)
		if err != nil {
			return // a header net/http will not send
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if !slices.Contains([]int{202, 400, 401, 413, 422}, resp.StatusCode) {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
		if !json.Valid(out) {
			t.Fatalf("status %d with a body that is not JSON: %q", resp.StatusCode, out)
		}
		token, ok := httpserve.BearerToken(req)
		if authorized := ok && token == "s3cret"; authorized == (resp.StatusCode == 401) {
			t.Fatalf("Authorization %q got %d", auth, resp.StatusCode)
		}
		if resp.StatusCode == 202 && len(body) > limit {
			t.Fatalf("accepted %d bytes over the %d limit", len(body), limit)
		}
	})
}
