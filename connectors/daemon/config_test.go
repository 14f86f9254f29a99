package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/policy/tlp"
)

const goodConfig = `hub:
  server: nats://127.0.0.1:4222
  credentials: /etc/geneva/bank-one.creds
mou: /etc/geneva/mou.yaml
spool:
  dir: /var/lib/geneva-connector
sources:
  - {name: drop, kind: dir, path: /srv/drop}
sinks:
  - {name: siem, kind: webhook, reach: organization, url: "https://siem.example/hook"}
`

func TestConfigLoads(t *testing.T) {
	cfg, err := daemon.ParseConfig("connector.yaml", []byte(goodConfig), connectors.Default)
	require.NoError(t, err)
	require.Equal(t, 10000, cfg.Spool.MaxItems, "default spool bound")
	require.Len(t, cfg.Sources, 1)
	require.JSONEq(t, `{"path":"/srv/drop"}`, string(cfg.Sources[0].Options))
}

func TestConfigReportsEveryProblemWithItsLine(t *testing.T) {
	bad := `hub:
  server: nats://127.0.0.1:4222
  colour: blue
mou: /etc/geneva/mou.yaml
defaults:
  tlp: purple
spool:
  dir: /var/lib/geneva-connector
  max_items: many
sources:
  - {name: drop, kind: dir}
  - {name: drop, kind: taxi}
sinks:
  - name: siem
    kind: webhook
    reach: everywhere
    format: xml
  - name: tip
    kind: taxii
    reach: organization
    url: https://tip.example/api1/
  - {name: out, kind: stdout}
`
	_, err := daemon.ParseConfig("connector.yaml", []byte(bad), connectors.Default)
	require.Error(t, err)
	require.Equal(t, strings.Join([]string{
		"connector.yaml:3: hub.colour: unknown field (known: credentials, jetstream_domain, mou_refresh, server, tls)",
		`connector.yaml:9: spool.max_items: want an integer, not "many"`,
		"connector.yaml:1: hub.credentials: required (the member's .creds file)",
		`connector.yaml:6: defaults.tlp: unknown TLP level "purple" (want clear, green, amber, amber+strict or red)`,
		"connector.yaml:11: sources[0].path: required",
		`connector.yaml:12: sources[1].name: "drop" is used twice`,
		`connector.yaml:12: sources[1].kind: unknown connector "taxi" (known: dir, stdout, taxii, webhook)`,
		`connector.yaml:16: sinks[0].reach: "everywhere" is not one of organization, clients, community, public`,
		"connector.yaml:14: sinks[0].url: required",
		`connector.yaml:17: sinks[0].format: "xml" is not bundle or ndjson`,
		"connector.yaml:18: sinks[1].collection: required",
		"connector.yaml:22: sinks[2].reach: required (organization, clients, community or public)",
	}, "\n"), err.Error())
}

// A connector behind a leaf node names the cluster's JetStream domain; its
// member client then takes its inbox and receipts under that domain
// (hub.TestConnectorReachesTheHubThroughALeafNode). A domain that is no
// subject token is refused at its line, as geneva-hub cluster-users refuses it.
func TestConfigJetStreamDomain(t *testing.T) {
	withDomain := func(d string) string {
		return strings.Replace(goodConfig, "  credentials:", "  jetstream_domain: "+d+"\n  credentials:", 1)
	}
	cfg, err := daemon.ParseConfig("c.yaml", []byte(withDomain("geneva-hub")), connectors.Default)
	require.NoError(t, err)
	o, err := daemon.HubDialOptions(cfg)
	require.NoError(t, err)
	require.Equal(t, "geneva-hub", o.JetStreamDomain, "carried to the member client")

	_, err = daemon.ParseConfig("c.yaml", []byte(withDomain(`"geneva.hub"`)), connectors.Default)
	require.EqualError(t, err, `c.yaml:3: hub.jetstream_domain: jetstream domain "geneva.hub": only letters, digits, - and _ (it becomes a subject token, $JS.<domain>.API)`)
}

func TestConfigRejectsASourceAsSinkAndEmptyFiles(t *testing.T) {
	_, err := daemon.ParseConfig("c.yaml", []byte(strings.Replace(goodConfig, "kind: dir", "kind: stdout", 1)), connectors.Default)
	require.ErrorContains(t, err, `c.yaml:8: sources[0].kind: "stdout" is not a source`)
	_, err = daemon.ParseConfig("c.yaml", []byte(""), connectors.Default)
	require.EqualError(t, err, "c.yaml: empty config")
	_, err = daemon.ParseConfig("c.yaml", []byte("hub: [1"), connectors.Default)
	require.ErrorContains(t, err, "c.yaml:1: ")
}

// TestReachTable is TLP 2.0 at the edge, every level against every reach.
func TestReachTable(t *testing.T) {
	levels := []tlp.Level{tlp.None, tlp.Clear, tlp.Green, tlp.Amber, tlp.AmberStrict, tlp.Red}
	reaches := []daemon.Reach{daemon.ReachOrganization, daemon.ReachClients, daemon.ReachCommunity, daemon.ReachPublic}
	want := map[tlp.Level]string{ // organization, clients, community, public
		tlp.None: "----", tlp.Clear: "xxxx", tlp.Green: "xxx-", tlp.Amber: "xx--", tlp.AmberStrict: "x---", tlp.Red: "----",
	}
	for _, l := range levels {
		got := ""
		for _, r := range reaches {
			if daemon.ReachPermits(l, r, false) {
				got += "x"
			} else {
				got += "-"
			}
		}
		require.Equal(t, want[l], got, "%s", l)
	}
	for _, r := range reaches {
		require.True(t, daemon.ReachPermits(tlp.Red, r, true), "RED to a sink declared for named individuals")
	}
}

// TestDeployExamplesLoad checks every example config in deploy/connector
// and that the systemd unit runs the binary on a checked config.
func TestDeployExamplesLoad(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy", "connector")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, f := range files {
		cfg, err := daemon.LoadConfig(f, connectors.Default)
		require.NoError(t, err, f)
		require.Empty(t, cfg.Warnings, "%s uses an old spelling", f)
		for _, e := range append(cfg.Sources, cfg.Sinks...) {
			kinds[e.Kind] = true
		}
	}
	for _, s := range connectors.Default.Specs() {
		require.True(t, kinds[s.Name], "no example config in %s uses kind %q", dir, s.Name)
	}
	unit, err := os.ReadFile(filepath.Join(dir, "geneva-connector.service"))
	require.NoError(t, err)
	require.Contains(t, string(unit), "ExecStart=/usr/local/bin/geneva-connector --json-logs run /etc/geneva/connector.yaml")
	require.Contains(t, string(unit), "ExecStartPre=/usr/local/bin/geneva-connector check /etc/geneva/connector.yaml")
}
