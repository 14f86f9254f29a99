package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

// TestIncidentReportThroughTheHub posts a report to a member's webhook
// intake and follows it to another member's sink; a classified report is
// refused at the intake with 422 and never reaches the hub.
func TestIncidentReportThroughTheHub(t *testing.T) {
	h := hubtestStart(t)
	receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}`, nil)
	addr := freeAddr(t)
	startConnector(t, h, "bank-one", "", `
  - {name: intake, kind: webhook, listen: "`+addr+`", path: /report, token: s3cret}`, "", nil)

	post := func(body string) (int, map[string]any) { return postReport(t, addr, body) }
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

// freeAddr is a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := listen()
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// postReport posts body to the webhook intake at addr (token s3cret),
// waiting for it to listen, and decodes its JSON answer.
func postReport(t *testing.T, addr, body string) (int, map[string]any) {
	t.Helper()
	var resp *http.Response
	eventually(t, "the intake listens", func() bool {
		req, _ := http.NewRequest("POST", "http://"+addr+"/report", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cret")
		var err error
		resp, err = http.DefaultClient.Do(req)
		return err == nil
	})
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// TestWebhookFollowsTheHubsIdentity: when the hub's MoU gives the member
// another STIX identity, the webhook source's next report is sighted by
// the new one, without a restart (the source read the identity once, at
// start, and kept naming the old one).
func TestWebhookFollowsTheHubsIdentity(t *testing.T) {
	const newIdentity = "identity--7f1c2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d"
	h := hubtestStart(t)
	receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}`, nil)
	addr := freeAddr(t)
	dir := t.TempDir()
	cfg := strings.Replace(hubMoUConfig(h, dir, "bank-one", ""), "sources: []",
		"sources:\n  - {name: intake, kind: webhook, listen: \""+addr+"\", path: /report, token: s3cret}", 1)
	sender := runConfig(t, dir, "bank-one", cfg)

	changed := policy.DemoMoU()
	changed.Partnership.Version += "-new-identity"
	var oldIdentity string
	for i := range changed.Members {
		if changed.Members[i].ID == "bank-one" {
			oldIdentity, changed.Members[i].Identity = changed.Members[i].Identity, newIdentity
		}
	}
	require.NotEmpty(t, oldIdentity)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.ApplyMoU(ctx, changed))
	eventually(t, "the connector follows the hub's new MoU", func() bool { return sender.MoUVersion() == memberViewVersion(t, changed) })

	code, out := postReport(t, addr, `{"title":"Phishing kit","occurred":"2026-11-21T22:10:00Z","tlp":"green","indicators":[{"type":"domain","value":"kit.example"}]}`)
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	eventually(t, "the report in isp-two's sink", func() bool { return len(receiver.files("soc")) == 1 })
	data, err := os.ReadFile(filepath.Join(receiver.dir, "soc", receiver.files("soc")[0]))
	require.NoError(t, err)
	require.Contains(t, string(data), newIdentity, "sighted by the member's identity in force")
	require.NotContains(t, string(data), oldIdentity)
}
