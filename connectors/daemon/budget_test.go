package daemon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

const smallPayload = 64 << 10 // the hub's max_payload in these tests

func smallHub(t *testing.T) *hubtest.Hub {
	return hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.MaxPayload = smallPayload }))
}

// indicatorBundle is a valid GREEN bundle of n indicators (about 450
// bytes each), distinct per tag.
func indicatorBundle(tag string, n int) []byte {
	objs := []string{string(greenDefinition())}
	for i := range n {
		objs = append(objs, fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"%s %d","pattern":"[domain-name:value = 'h%d.%s.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
			connectors.UUIDFrom(tag, fmt.Sprint(i)), tag, i, i, tag))
	}
	return []byte(`{"type":"bundle","id":"bundle--` + connectors.UUIDFrom(tag) + `","objects":[` + strings.Join(objs, ",") + `]}`)
}

func greenDefinition() json.RawMessage {
	return json.RawMessage(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z","name":"TLP:GREEN","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"green"}}}`)
}

// TestSourcesRefuseWhatTheHubCannotTake: with the hub's max_payload at 64
// KiB (the MoU allows 8 MiB), a dropped file and a posted report whose
// bundle is over the budget are refused with a reason at once (failed/
// and 413), and a small one behind them still reaches the hub. Before,
// both were accepted (202), then retried forever ("maximum payload
// exceeded") and blocked everything queued behind them.
func TestSourcesRefuseWhatTheHubCannotTake(t *testing.T) {
	h := smallHub(t)
	ln, err := listen()
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 50ms}
  - {name: intake, kind: webhook, listen: "`+addr+`", path: /report}`, "", nil)

	sender.drop(t, "big.json", indicatorBundle("big", 200)) // ~90 KB
	eventually(t, "big.json refused into failed/ with its reason", func() bool {
		return len(sender.files("drop/failed")) == 2
	})
	reasons, err := os.ReadFile(filepath.Join(sender.dir, "drop/failed/big.json.reasons.json"))
	require.NoError(t, err)
	require.Contains(t, string(reasons), string(policy.CodeSizeBytes))
	require.Contains(t, string(reasons), fmt.Sprintf("the hub takes at most %d", smallPayload-connectors.HeaderRoom))

	// A 30 KB report that becomes a ~200 KB bundle: 413 before any 202.
	var inds []string
	for i := range 400 {
		inds = append(inds, fmt.Sprintf(`{"type":"domain","value":"d%d.example"}`, i))
	}
	report := `{"title":"spray","occurred":"2026-11-21T22:10:00Z","tlp":"green","indicators":[` + strings.Join(inds, ",") + `]}`
	code, body := postJSON(t, "http://"+addr+"/report", report)
	require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
	require.Contains(t, body, string(policy.CodeSizeBytes))
	// A request body over the budget: 413 without reading it whole.
	code, body = postJSON(t, "http://"+addr+"/report", `{"title":"`+strings.Repeat("x", smallPayload)+`"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, code, body)

	sender.drop(t, "small.json", indicatorBundle("small", 3))
	eventually(t, "small.json reached the hub", func() bool { return sender.metric(t, "geneva_connector_submitted_total") == "1" })
}

func postJSON(t *testing.T, url, body string) (int, string) {
	t.Helper()
	var resp *http.Response
	eventually(t, "the intake answers", func() bool {
		var err error
		resp, err = http.Post(url, "application/json", strings.NewReader(body))
		return err == nil
	})
	defer resp.Body.Close()
	var out json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, string(out)
}

// TestOutboundDeadLettersWhatTheHubRefuses: an item already in the spool
// (queued while the hub's limit was unknown or larger) that the hub can
// never take goes to deadletter/outbound/ with a one-line reason and the
// queue moves on. Before, it was retried forever and nothing behind it
// reached the hub.
func TestOutboundDeadLettersWhatTheHubRefuses(t *testing.T) {
	h := smallHub(t)
	dir := t.TempDir()
	spoolDir := filepath.Join(dir, "spool")
	sp, err := daemon.OpenSpool(spoolDir, 100, 1<<30)
	require.NoError(t, err)
	now := time.Now().UTC()
	for _, it := range []daemon.SpoolItem{
		{ID: "big-item", Source: "drop", Ref: "big.json", Queued: now, Body: indicatorBundle("big", 200)},
		{ID: "small-item", Source: "drop", Ref: "small.json", Queued: now, Body: indicatorBundle("small", 3)},
	} {
		_, err := sp.Put(it)
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mou.yaml"), policy.DemoMoUYAML(), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "drop"), 0o700))
	r := runConfig(t, dir, "bank-one", fmt.Sprintf(`hub: {server: %q, credentials: %q}
mou: %q
spool: {dir: %q}
http: {listen: "127.0.0.1:0", stuck_after: 1s}
sources:
  - {name: drop, kind: dir, path: %q, interval: 50ms}
`, h.ClientURL(), wire.CredsPath(h.Dir, "bank-one"), filepath.Join(dir, "mou.yaml"), spoolDir, filepath.Join(dir, "drop")))

	dead := filepath.Join(spoolDir, "deadletter", daemon.OutboundQueue)
	eventually(t, "the big item dead-lettered with its reason", func() bool {
		_, err := os.Stat(filepath.Join(dead, "big-item.json")) // moved after its .why is written
		return err == nil
	})
	why, err := os.ReadFile(filepath.Join(dead, "big-item.why"))
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(why), "\n"), "one line: %s", why)
	require.Contains(t, string(why), "the hub takes at most")
	require.Contains(t, string(why), "attempts=")
	eventually(t, "the small item behind it reached the hub", func() bool { return r.metric(t, "geneva_connector_submitted_total") == "1" })
	require.Equal(t, "1", r.metric(t, "geneva_connector_dead_letters_total"))
	require.Equal(t, http.StatusOK, health(t, r.http)["code"])

	// The hub goes away with an item queued: /healthz says the queue is
	// stuck (stuck_after: 1s) instead of ok.
	require.NoError(t, h.Stop())
	r.drop(t, "late.json", indicatorBundle("late", 2))
	eventually(t, "/healthz reports the stuck queue", func() bool {
		got := health(t, r.http)
		return got["code"] == http.StatusServiceUnavailable && got["status"] == "stuck"
	})
}

// health reads /healthz: its JSON plus "code", the HTTP status.
func health(t *testing.T, base string) map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	out := map[string]any{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	out["code"] = resp.StatusCode
	return out
}
