package natscluster

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cut cuts node i off from the others: every node's routes are rewritten
// without it and reloaded, as an operator's config change and nats-server
// --signal reload would, and it waits up to timeout until node i routes to
// no other node. Its clients stay connected to it, as in a network
// partition between the servers.
func (c *Cluster) Cut(i int, timeout time.Duration) error { return c.partition(i, i, timeout) }

// Heal gives every node its routes back after Cut(i) and waits up to
// timeout until node i routes to every other running node.
func (c *Cluster) Heal(i int, timeout time.Duration) error { return c.partition(i, -1, timeout) }

// partition routes every node to every other but cut (-1: none) and waits
// until node has the routes it should.
func (c *Cluster) partition(node, cut int, timeout time.Duration) error {
	for i, o := range c.opts {
		o = o.Clone()
		var routes []string
		for j, other := range c.opts {
			if j != i && i != cut && j != cut {
				routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", other.Cluster.Port))
			}
		}
		o.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		if c.accounts != "" {
			var err error
			if o, err = nodeConfig(filepath.Dir(c.accounts), o); err != nil {
				return err
			}
		}
		c.opts[i] = o
		if s := c.Nodes[i]; s != nil && s.Running() {
			if err := s.ReloadOptions(o.Clone()); err != nil {
				return fmt.Errorf("cluster node %d: reload: %w", i+1, err)
			}
		}
	}
	want := 0
	if cut < 0 {
		for _, s := range c.Nodes {
			if s != nil && s.Running() {
				want++
			}
		}
		want-- // itself
	}
	deadline := time.Now().Add(timeout)
	for {
		got := len(routedServers(c.Nodes[node]))
		if got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: node %d routes to %d servers %s after the reload, want %d", node+1, got, timeout, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
