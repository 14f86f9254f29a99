package hubtest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/internal/natscluster"
)

// Cluster is a NATS cluster of in-process servers with clustered
// JetStream, routed on 127.0.0.1, for the hub's cluster mode.
type Cluster struct {
	*natscluster.Cluster
	t testing.TB
}

// StartCluster starts n servers named n1..nN that know users (nil: no
// authentication), each with its own store under a temporary directory,
// and waits until JetStream has a meta leader that knows them all. They
// shut down when the test ends.
func StartCluster(t testing.TB, n int, users []*server.NkeyUser) *Cluster {
	t.Helper()
	c, err := natscluster.Start(t.TempDir(), n, users, 30*time.Second)
	return started(t, c, err)
}

// StartClusterWithAccounts is StartCluster with the nats-server accounts
// configuration accounts (hub.ClusterAccounts) on every node, read from a
// file each node's configuration includes.
func StartClusterWithAccounts(t testing.TB, n int, accounts string) *Cluster {
	t.Helper()
	c, err := natscluster.StartWithAccounts(t.TempDir(), n, accounts, 30*time.Second)
	return started(t, c, err)
}

// started fails t on err, else shuts c down when t ends.
func started(t testing.TB, c *natscluster.Cluster, err error) *Cluster {
	t.Helper()
	if err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	t.Cleanup(c.Shutdown)
	t.Cleanup(func() { // before the shutdown
		if t.Failed() {
			t.Logf("the NATS cluster when the test failed:\n%s", c.Report())
		}
	})
	return &Cluster{Cluster: c, t: t}
}

// Reload gives every node the accounts configuration accounts, as
// nats-server --signal reload does after the file changed.
func (c *Cluster) Reload(accounts string) {
	c.t.Helper()
	if err := c.Cluster.Reload(accounts); err != nil {
		c.t.Fatalf("hubtest: %v", err)
	}
}

// Start starts node i again after Stop.
func (c *Cluster) Start(i int) {
	c.t.Helper()
	if err := c.StartNode(i); err != nil {
		c.t.Fatalf("hubtest: %v", err)
	}
}

// Stop shuts node i down.
func (c *Cluster) Stop(i int) { c.StopNode(i) }

// Cut cuts node i's routes to the others (Cluster.Cut), waiting up to 30s.
func (c *Cluster) Cut(i int) {
	c.t.Helper()
	if err := c.Cluster.Cut(i, 30*time.Second); err != nil {
		c.t.Fatalf("hubtest: %v", err)
	}
}

// Heal gives node i its routes back (Cluster.Heal), waiting up to 30s.
func (c *Cluster) Heal(i int) {
	c.t.Helper()
	if err := c.Cluster.Heal(i, 30*time.Second); err != nil {
		c.t.Fatalf("hubtest: %v", err)
	}
}

// StartClusterForLeafNodes is StartClusterWithAccounts with the cluster in
// JetStream domain and a leaf node listener on every node (LeafURL).
func StartClusterForLeafNodes(t testing.TB, n int, accounts, domain string) *Cluster {
	t.Helper()
	c, err := natscluster.StartForLeafNodes(t.TempDir(), n, accounts, domain, 30*time.Second)
	return started(t, c, err)
}
