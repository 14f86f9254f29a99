package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	_ "github.com/genevahub/geneva/connectors/all"
	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/connectors/daemon/daemontest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// running is a connector under test.
type running struct {
	*daemon.Connector
	dir  string // holds drop/, spool/ and sink folders
	http string
}

// startConnector runs a connector for member against h with the given
// YAML blocks for sources and sinks (drop folder: dir/drop).
func startConnector(t *testing.T, h *hubtest.Hub, member, extra, sources, sinks string, mouYAML []byte) *running {
	t.Helper()
	return startConnectorVia(t, h, h.ClientURL(), member, extra, sources, sinks, mouYAML)
}

// startConnectorVia is startConnector reaching the hub at server (a proxy).
func startConnectorVia(t *testing.T, h *hubtest.Hub, server, member, extra, sources, sinks string, mouYAML []byte) *running {
	t.Helper()
	dir, cfg := connectorConfig(t, h, server, member, extra, sources, sinks, mouYAML)
	return runConfig(t, dir, member, cfg)
}

// connectorConfig makes a folder for a connector (its MoU copy, drop/)
// and returns it with the connector's config.
func connectorConfig(t *testing.T, h *hubtest.Hub, server, member, extra, sources, sinks string, mouYAML []byte) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	if mouYAML == nil {
		mouYAML = policy.DemoMoUYAML()
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mou.yaml"), mouYAML, 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "drop"), 0o755))
	return dir, fmt.Sprintf(`hub:
  server: %s
  credentials: %s
mou: %s
spool:
  dir: %s
http:
  listen: 127.0.0.1:0
%s
%s
%s
`, server, wire.CredsPath(h.Dir, member), filepath.Join(dir, "mou.yaml"), filepath.Join(dir, "spool"), extra,
		block("sources", sources, dir), block("sinks", sinks, dir))
}

// runConfig writes cfg to dir/connector.yaml and runs that connector until
// the test ends.
func runConfig(t *testing.T, dir, member, cfg string) *running {
	t.Helper()
	path := filepath.Join(dir, "connector.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	conn := daemontest.Run(t, path, member)
	actx, acancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer acancel()
	addr, err := conn.HTTPAddr(actx)
	require.NoError(t, err)
	return &running{Connector: conn, dir: dir, http: "http://" + addr}
}

func block(key, entries, dir string) string {
	if strings.TrimSpace(entries) == "" {
		return key + ": []"
	}
	return key + ":\n" + strings.Trim(strings.ReplaceAll(entries, "DIR", dir), "\n")
}

// drop writes a file into the connector's drop folder (atomically).
func (r *running) drop(t *testing.T, name string, body []byte) {
	t.Helper()
	tmp := filepath.Join(r.dir, "."+name+".tmp")
	require.NoError(t, os.WriteFile(tmp, body, 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(r.dir, "drop", name)))
}

func (r *running) files(sub string) []string {
	entries, _ := os.ReadDir(filepath.Join(r.dir, sub))
	var out []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// metric reads one sample from /metrics ("name{labels}" as printed).
func (r *running) metric(t *testing.T, sample string) string {
	t.Helper()
	resp, err := http.Get(r.http + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, sample+" "); ok {
			return v
		}
	}
	return ""
}

// marked is a bundle with one indicator at level.
func marked(seed string, level tlp.Level) []byte {
	var b map[string]any
	_ = json.Unmarshal(connectortest.Bundle(seed), &b)
	objs := b["objects"].([]any)
	objs[0].(map[string]any)["object_marking_refs"] = []string{tlp.ID(level)}
	b["objects"] = append([]any{json.RawMessage(tlp.Definition(level))}, objs...)
	out, _ := json.Marshal(b)
	return out
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	hubtest.Eventually(t, 20*time.Second, func() error {
		if f() {
			return nil
		}
		return fmt.Errorf("%s", what)
	})
}

func TestSubmitDeliverAndTLPReach(t *testing.T) {
	h := hubtest.StartHub(t)
	receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}
  - {name: customers, kind: dir, reach: clients, path: DIR/customers}
  - {name: website, kind: dir, reach: public, path: DIR/website}`, nil)
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", nil)

	sender.drop(t, "clear.json", marked("clear", tlp.Clear))
	sender.drop(t, "green.json", marked("green", tlp.Green))
	sender.drop(t, "amber.json", marked("amber", tlp.Amber))

	eventually(t, "receipts beside the three files in done/", func() bool {
		return len(sender.files("drop/done")) == 6
	})
	for _, name := range []string{"clear.json", "green.json", "amber.json"} {
		var r wire.Receipt
		data, err := os.ReadFile(filepath.Join(sender.dir, "drop/done", name+".receipt.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &r))
		require.Equal(t, policy.Accept, r.Verdict, name)
		require.Equal(t, "bank-one", r.Member)
	}
	eventually(t, "three shares in the organization's sink", func() bool { return len(receiver.files("soc")) == 3 })
	eventually(t, "three shares in the clients' sink", func() bool { return len(receiver.files("customers")) == 3 })
	eventually(t, "two refusals for the public sink", func() bool {
		return receiver.metric(t, `geneva_connector_deliveries_total{outcome="refused_tlp",sink="website"}`) == "2"
	})
	require.Len(t, receiver.files("website"), 1, "only CLEAR reaches a public sink")
	public, err := os.ReadFile(filepath.Join(receiver.dir, "website", receiver.files("website")[0]))
	require.NoError(t, err)
	require.Contains(t, string(public), "conformance clear", "the public sink got the CLEAR share, not AMBER or GREEN")
	require.Equal(t, "3", sender.metric(t, "geneva_connector_submitted_total"))
	require.Equal(t, "3", sender.metric(t, `geneva_connector_receipts_total{verdict="accept"}`))

	// Every share was acknowledged to the hub once all sinks had it.
	op := h.Member(t, wire.OperatorName)
	eventually(t, "isp-two's inbox fully acknowledged", func() bool {
		c, err := op.JS.Consumer(t.Context(), wire.StreamShare, wire.InboxConsumer("isp-two"))
		if err != nil {
			return false
		}
		info, err := c.Info(t.Context())
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0 && info.Delivered.Stream > 0
	})

	resp, err := http.Get(receiver.http + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var health map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&health))
	require.Equal(t, "connected", health["hub"])
	require.Equal(t, "isp-two", health["member"])
}

func TestPreflightKeepsClassifiedAndInvalidAtHome(t *testing.T) {
	h := hubtest.StartHub(t)
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", nil)
	classified, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "classified-banner-name.json"))
	if err != nil {
		classified = []byte(strings.Replace(string(marked("c", tlp.Green)), "conformance c", "SECRET//REL TO USA, GBR - staging host", 1))
	}
	sender.drop(t, "classified.json", classified)
	sender.drop(t, "invalid.json", []byte(`{"type":"bundle","id":"bundle--0a0b0c0d-0000-4000-8000-000000000000","objects":[{"type":"indicator","id":"indicator--nope"}]}`))
	sender.drop(t, "notjson.json", []byte(`{"type":`))
	sender.drop(t, "good.json", marked("good", tlp.Green))

	eventually(t, "the good file settled with its receipt", func() bool { return len(sender.files("drop/done")) == 2 })
	eventually(t, "three files moved aside with reasons", func() bool { return len(sender.files("drop/failed")) == 6 })
	reasons, err := os.ReadFile(filepath.Join(sender.dir, "drop/failed/classified.json.reasons.json"))
	require.NoError(t, err)
	require.Contains(t, string(reasons), `"classified.`)
	reasons, err = os.ReadFile(filepath.Join(sender.dir, "drop/failed/invalid.json.reasons.json"))
	require.NoError(t, err)
	require.Contains(t, string(reasons), `"stix.`)
	require.Equal(t, "3", sender.metric(t, `geneva_connector_source_items_total{outcome="refused",source="drop"}`))

	// Exactly one submission ever reached the hub's intake.
	op := h.Member(t, wire.OperatorName)
	s, err := op.JS.Stream(t.Context(), wire.IntakeStream("bank-one"))
	require.NoError(t, err)
	info, err := s.Info(t.Context())
	require.NoError(t, err)
	require.Equal(t, uint64(1), info.State.LastSeq, "only the good file was submitted")

	// The spool keeps what was refused, except classified text.
	entries, err := os.ReadDir(filepath.Join(sender.dir, "spool", "failed"))
	require.NoError(t, err)
	require.Len(t, entries, 6)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(sender.dir, "spool", "failed", e.Name()))
		require.NotContains(t, string(data), "SECRET//REL", "classified text copied into the spool")
	}
}

func TestHubRejectionIsVisible(t *testing.T) {
	// The connector's pre-flight MoU is one the hub has just replaced: it
	// still defaults unmarked content to GREEN, so pre-flight passes and
	// the hub (which now rejects unmarked content) does not. The connector
	// asks for the hub's MoU again only every minute (hub.mou_refresh) or
	// after a receipt names another policy version, so the file dropped
	// right after the change meets the old one.
	staleYAML := []byte(strings.Replace(string(policy.DemoMoUYAML()), "unmarked: reject", "unmarked: green", 1))
	require.NotEqual(t, policy.DemoMoUYAML(), staleYAML)
	stale, err := policy.ParseMoU("stale.yaml", staleYAML)
	require.NoError(t, err)
	stale.Partnership.Version += "-stale"
	h := hubtest.StartHub(t, hubtest.WithMoU(stale))
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", staleYAML)
	_, staleVersion, err := stale.MemberView("bank-one")
	require.NoError(t, err)
	eventually(t, "the connector holds the hub's first MoU", func() bool { return sender.MoUVersion() == staleVersion })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.ApplyMoU(ctx, policy.DemoMoU()))
	sender.drop(t, "unmarked.json", connectortest.Bundle("unmarked"))
	eventually(t, "the rejected file in failed/ with its receipt", func() bool { return len(sender.files("drop/failed")) == 2 })
	data, err := os.ReadFile(filepath.Join(sender.dir, "drop/failed/unmarked.json.receipt.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"verdict": "reject"`)
	require.Contains(t, string(data), "tlp.unmarked")
	// The source gets the receipt before the spool settles it and the metric counts it.
	eventually(t, "the rejection counted", func() bool { return sender.metric(t, "geneva_connector_rejections_total") == "1" })
	require.Len(t, sender.files("spool/failed"), 2, "the spool keeps the rejected bundle and its receipt")
}

func TestFailingSinkDoesNotBlockTheOthers(t *testing.T) {
	h := hubtest.StartHub(t)
	healthy := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-healthy:
			w.WriteHeader(http.StatusAccepted)
		default:
			http.Error(w, "SIEM down", http.StatusBadGateway)
		}
	})}
	ln, err := listen()
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: siem, kind: webhook, reach: organization, url: "http://`+ln.Addr().String()+`/"}
  - {name: archive, kind: dir, reach: organization, path: DIR/archive}`, nil)
	sender := startConnector(t, h, "bank-one", "", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, "", nil)
	for i := range 3 {
		sender.drop(t, fmt.Sprintf("%d.json", i), marked(fmt.Sprint("sink", i), tlp.Green))
	}
	eventually(t, "the dir sink has all three while the webhook fails", func() bool { return len(receiver.files("archive")) == 3 })
	eventually(t, "the webhook sink retried", func() bool {
		v := receiver.metric(t, `geneva_connector_deliveries_total{outcome="retry",sink="siem"}`)
		return v != "" && v != "0"
	})
	op := h.Member(t, wire.OperatorName)
	pending := func() int {
		c, err := op.JS.Consumer(t.Context(), wire.StreamShare, wire.InboxConsumer("isp-two"))
		if err != nil {
			return -1
		}
		info, err := c.Info(t.Context())
		if err != nil {
			return -1
		}
		return info.NumAckPending
	}
	require.Equal(t, 3, pending(), "not acked to the hub while a sink has not taken them")
	eventually(t, "past the dead-letter bound (5 attempts), still retrying", func() bool {
		v, _ := strconv.Atoi(receiver.metric(t, `geneva_connector_deliveries_total{outcome="retry",sink="siem"}`))
		return v >= 7
	})
	close(healthy)
	eventually(t, "the webhook took all three", func() bool {
		return receiver.metric(t, `geneva_connector_deliveries_total{outcome="written",sink="siem"}`) == "3"
	})
	require.Empty(t, receiver.metric(t, `geneva_connector_deliveries_total{outcome="dead_letter",sink="siem"}`),
		"a sink that fails on every share (down) dead-letters nothing")
	eventually(t, "all acked to the hub", func() bool { return pending() == 0 })
}

func TestFullSpoolHoldsTheSourceBack(t *testing.T) {
	h := hubtest.StartHub(t)
	server := h.ClientURL()
	require.NoError(t, h.Stop()) // the hub is away: nothing leaves the spool
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mou.yaml"), policy.DemoMoUYAML(), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "drop"), 0o755))
	cfg := fmt.Sprintf(`hub: {server: "%s", credentials: %s}
mou: %s
spool: {dir: %s, max_items: 2}
http: {listen: "127.0.0.1:0"}
sources:
  - {name: drop, kind: dir, path: %s, interval: 20ms}
`, server, wire.CredsPath(h.Dir, "bank-one"), filepath.Join(dir, "mou.yaml"), filepath.Join(dir, "spool"), filepath.Join(dir, "drop"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(cfg), 0o600))
	c, err := daemon.LoadConfig(filepath.Join(dir, "c.yaml"), connectors.Default)
	require.NoError(t, err)
	conn, err := daemon.New(c, connectors.Default, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- conn.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-done) }()
	addr, err := conn.HTTPAddr(ctx)
	require.NoError(t, err)
	r := &running{Connector: conn, dir: dir, http: "http://" + addr}
	for i := range 4 {
		r.drop(t, fmt.Sprintf("%d.json", i), marked(fmt.Sprint("full", i), tlp.Green))
	}
	eventually(t, "back-pressure reported", func() bool { return r.metric(t, "geneva_connector_backpressure") == "1" })
	require.Equal(t, "2", r.metric(t, "geneva_connector_spool_items"))
	require.Equal(t, "1", r.metric(t, "geneva_connector_spool_full_total"))
	require.Len(t, r.files("drop/done"), 2, "only what the spool holds is taken from the source")
	require.Len(t, r.files("drop"), 2, "the rest waits in the source")
}
