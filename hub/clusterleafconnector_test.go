package hub_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	_ "github.com/genevahub/geneva/connectors/all"
	"github.com/genevahub/geneva/connectors/daemon/daemontest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// Two partners run the connector daemon at their sites, each against its
// own leaf node with hub.jetstream_domain set: a bundle dropped at
// bank-one's site is submitted, its receipt comes back beside it, and the
// share lands in le-alpha's sink. Without jetstream_domain the connectors
// find no JetStream behind their leaf nodes: no receipt, no share.
func TestConnectorReachesTheHubThroughALeafNode(t *testing.T) {
	sites := startLeafSites(t, leafConfigured)
	dir, bankSite, leSite := sites.dir, sites.bank, sites.le

	receiver := runSiteConnector(t, leSite.ClientURL(), wire.CredsPath(dir, "le-alpha"),
		"sources: []\nsinks:\n  - {name: soc, kind: dir, reach: organization, path: DIR/soc}")
	sender := runSiteConnector(t, bankSite.ClientURL(), wire.CredsPath(dir, "bank-one"),
		"sources:\n  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}\nsinks: []")
	drop := filepath.Join(sender, "drop")
	dropBundle(t, drop, "share.json", caseBundle(t, "green-tlp1-to-all.json"))
	r := requireReceipt(t, drop, "share.json")
	require.Equal(t, "bank-one", r.Member)
	hubtest.Eventually(t, 60*time.Second, func() error {
		if entries, _ := os.ReadDir(filepath.Join(receiver, "soc")); len(entries) != 1 {
			return fmt.Errorf("le-alpha's sink holds %d files, want the share", len(entries))
		}
		return nil
	})
}

// runSiteConnector runs a connector daemon at a partner's site: its hub is
// the site's leaf node (server) in the cluster's JetStream domain; entries
// are its sources and sinks (DIR: its folder, returned). It runs until the
// test ends.
func runSiteConnector(t *testing.T, server, creds, entries string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("hub:\n  server: %s\n  credentials: %s\n  jetstream_domain: %s\nspool:\n  dir: %s\n%s\n",
		server, creds, leafDomain, filepath.Join(dir, "spool"), entries)
	path := filepath.Join(dir, "connector.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(cfg, "DIR", dir)), 0o600))
	daemontest.Run(t, path, filepath.Base(creds))
	return dir
}
