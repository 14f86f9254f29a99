package daemon_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIncidentReportThroughTheHub posts a report to a member's webhook
// intake and follows it to another member's sink; a classified report is
// refused at the intake with 422 and never reaches the hub.
func TestIncidentReportThroughTheHub(t *testing.T) {
	h := hubtestStart(t)
	receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}`, nil)
	ln, err := listen()
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	startConnector(t, h, "bank-one", "", `
  - {name: intake, kind: webhook, listen: "`+addr+`", path: /report, token: s3cret}`, "", nil)

	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", "http://"+addr+"/report", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cret")
		var resp *http.Response
		eventually(t, "the intake listens", func() bool {
			var err error
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				req, _ = http.NewRequest("POST", "http://"+addr+"/report", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer s3cret")
			}
			return err == nil
		})
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	code, out := post(`{"title":"Card skimmer on ATM fleet","occurred":"2026-11-21T22:10:00Z","tlp":"amber",
		"indicators":[{"type":"domain","value":"skim-exfil.example"},{"type":"ipv4","value":"203.0.113.9"}]}`)
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	code, out = post(`{"title":"TOP SECRET//NOFORN exfil host","occurred":"2026-11-21T22:10:00Z","tlp":"amber",
		"indicators":[{"type":"domain","value":"leak.example"}]}`)
	require.Equal(t, http.StatusUnprocessableEntity, code, "%v", out)
	require.Contains(t, out["reasons"].([]any)[0].(map[string]any)["code"], "classified.")

	eventually(t, "the incident in isp-two's sink", func() bool { return len(receiver.files("soc")) == 1 })
	data, err := os.ReadFile(filepath.Join(receiver.dir, "soc", receiver.files("soc")[0]))
	require.NoError(t, err)
	for _, want := range []string{`"type":"incident"`, `"Card skimmer on ATM fleet"`, `"type":"sighting"`, `skim-exfil.example`} {
		require.Contains(t, string(data), want)
	}
	require.NotContains(t, string(data), "leak.example")
}
