package hubtest

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster is a NATS cluster of in-process servers with clustered
// JetStream, routed on 127.0.0.1, for the hub's cluster mode.
type Cluster struct {
	t     testing.TB
	Nodes []*server.Server
	opts  []*server.Options
}

// StartCluster starts n servers named n1..nN that know users, each with
// its own store under a temporary directory, and waits until JetStream
// has a meta leader. They shut down when the test ends.
func StartCluster(t testing.TB, n int, users []*server.NkeyUser) *Cluster {
	t.Helper()
	dir := t.TempDir()
	clientPorts, routePorts := freePorts(t, n), freePorts(t, n)
	var routes []string
	for _, p := range routePorts {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	c := &Cluster{t: t}
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		o := &server.Options{ServerName: name, Host: "127.0.0.1", Port: clientPorts[i], JetStream: true,
			StoreDir: filepath.Join(dir, name), NoLog: true, NoSigs: true, Nkeys: users,
			Cluster: server.ClusterOpts{Name: "geneva-test", Host: "127.0.0.1", Port: routePorts[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ","))}
		c.opts = append(c.opts, o)
		c.Nodes = append(c.Nodes, nil)
		c.Start(i)
	}
	t.Cleanup(func() {
		for i := range c.Nodes {
			c.Stop(i)
		}
	})
	c.WaitForMetaLeader(30 * time.Second)
	return c
}

// URL lists every node's client URL, comma-separated (NATS seeds).
func (c *Cluster) URL() string {
	var urls []string
	for _, o := range c.opts {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", o.Port))
	}
	return strings.Join(urls, ",")
}

// Start starts node i (again, on its store and ports, after Stop).
func (c *Cluster) Start(i int) {
	c.t.Helper()
	s, err := server.NewServer(c.opts[i].Clone())
	if err != nil {
		c.t.Fatalf("hubtest: cluster node %d: %v", i+1, err)
	}
	s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		c.t.Fatalf("hubtest: cluster node %d not ready after 20s", i+1)
	}
	c.Nodes[i] = s
}

// Stop shuts node i down; a stopped node stays stopped.
func (c *Cluster) Stop(i int) {
	if s := c.Nodes[i]; s != nil && s.Running() {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// Index is the index of the node named name (as stream infos name
// leaders), or -1.
func (c *Cluster) Index(name string) int {
	for i, o := range c.opts {
		if o.ServerName == name {
			return i
		}
	}
	return -1
}

// WaitForMetaLeader waits until a running node is the JetStream meta
// leader and knows every running node as a peer.
func (c *Cluster) WaitForMetaLeader(timeout time.Duration) {
	c.t.Helper()
	Eventually(c.t, timeout, func() error {
		for _, s := range c.Nodes {
			if s != nil && s.Running() && s.JetStreamIsLeader() {
				if peers := s.JetStreamClusterPeers(); len(peers) < c.running() {
					return fmt.Errorf("the meta leader knows %d of %d servers", len(peers), c.running())
				}
				return nil
			}
		}
		return fmt.Errorf("no JetStream meta leader")
	})
}

func (c *Cluster) running() int {
	n := 0
	for _, s := range c.Nodes {
		if s != nil && s.Running() {
			n++
		}
	}
	return n
}

// freePorts reserves n free TCP ports on 127.0.0.1. The listeners close
// before the servers bind, so another process could take one in between;
// the server then fails to start, which the test reports.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("hubtest: free port: %v", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		_ = ln.Close()
	}
	return ports
}
