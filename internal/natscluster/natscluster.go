// Package natscluster runs a NATS cluster of in-process servers with
// clustered JetStream, routed on 127.0.0.1: for the hub's cluster tests
// (hub/hubtest) and benchmarks (bench/hub).
package natscluster

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nuid"
)

// Cluster is n servers named n1..nN.
type Cluster struct {
	Nodes    []*server.Server
	opts     []*server.Options
	logs     []*nodeLog
	accounts string // the accounts file every node includes, "" for none
}

// Start starts n servers that know users (nil: no authentication), each
// with its store under dir, and waits up to timeout until JetStream has a
// meta leader that knows every server.
func Start(dir string, n int, users []*server.NkeyUser, timeout time.Duration) (*Cluster, error) {
	return start(dir, n, nodeSettings{users: users}, timeout)
}

// StartWithAccounts starts n servers whose accounts and users are the
// nats-server configuration accounts (an accounts block, as
// geneva-hub cluster-accounts writes it): each node reads it from
// dir/accounts.conf, included by its own configuration file, as a
// deployed server would. Reload changes it on every node.
func StartWithAccounts(dir string, n int, accounts string, timeout time.Duration) (*Cluster, error) {
	return start(dir, n, nodeSettings{accounts: accounts}, timeout)
}

// StartForLeafNodes is StartWithAccounts with the cluster in JetStream
// domain and a leaf node listener on every node (LeafURL), as partner
// sites' leaf nodes need (docs/operating.md "Leaf nodes").
func StartForLeafNodes(dir string, n int, accounts, domain string, timeout time.Duration) (*Cluster, error) {
	return start(dir, n, nodeSettings{accounts: accounts, domain: domain, leafNodes: true}, timeout)
}

// start starts n nodes on free ports. All of them are reserved at once:
// ports reserved by separate calls can repeat (each call's listeners are
// closed when it returns), and a node whose client port was another's
// route port never became ready (seen under scripts/stress.sh).
func start(dir string, n int, set nodeSettings, timeout time.Duration) (*Cluster, error) {
	kinds := 2
	if set.leafNodes {
		kinds = 3
	}
	ports, err := freePorts(kinds * n)
	if err != nil {
		return nil, err
	}
	if set.leafNodes {
		set.leafPorts = ports[2*n:]
	}
	return startOn(dir, ports[:n], ports[n:2*n], set, timeout)
}

// nodeSettings are what every node of a cluster shares beyond its ports.
type nodeSettings struct {
	users     []*server.NkeyUser // without accounts
	accounts  string             // an accounts block, read from a file
	domain    string             // the JetStream domain (with accounts)
	leafNodes bool               // a leaf node listener on every node (with accounts)
	leafPorts []int              // their ports, one per node (start reserves them)
}

// startOn starts one node per pair of ports (clients, routes).
//
// Each cluster gets a name of its own: the servers of every test cluster
// are named n1..nN, and nats-server refuses a route only for a different
// cluster name. A survivor of a stopped node keeps dialling that node's
// route port; once another cluster (another test process on this machine)
// listens there, the two would merge, and servers with the same names, so
// the same RAFT ids, would disrupt each other's meta and stream groups
// (streams leaderless, "JetStream system temporarily unavailable").
func startOn(dir string, clientPorts, routePorts []int, set nodeSettings, timeout time.Duration) (*Cluster, error) {
	accounts := set.accounts
	n := len(clientPorts)
	clusterName := "geneva-test-" + nuid.Next()
	var routes []string
	for _, p := range routePorts {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	c := &Cluster{}
	if accounts != "" {
		c.accounts = filepath.Join(dir, "accounts.conf")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		if err := os.WriteFile(c.accounts, []byte(accounts), 0o600); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
	}
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		o := &server.Options{ServerName: name, Host: "127.0.0.1", Port: clientPorts[i], JetStream: true,
			StoreDir: filepath.Join(dir, name), NoLog: true, NoSigs: true, Nkeys: set.users,
			Cluster: server.ClusterOpts{Name: clusterName, Host: "127.0.0.1", Port: routePorts[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")), JetStreamDomain: set.domain}
		if set.leafPorts != nil {
			o.LeafNode = server.LeafNodeOpts{Host: "127.0.0.1", Port: set.leafPorts[i]}
		}
		if accounts != "" {
			var err error
			if o, err = nodeConfig(dir, o); err != nil {
				return nil, err
			}
		}
		c.opts = append(c.opts, o)
		c.Nodes = append(c.Nodes, nil)
		c.logs = append(c.logs, &nodeLog{name: name})
		if err := c.StartNode(i); err != nil {
			c.Shutdown()
			return nil, err
		}
	}
	if err := c.WaitForMetaLeader(timeout); err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

// nodeConfig writes o as node o.ServerName's configuration file under
// dir, including the accounts file, and reads it back as the server does.
func nodeConfig(dir string, o *server.Options) (*server.Options, error) {
	var routes []string
	for _, r := range o.Routes {
		routes = append(routes, fmt.Sprintf("%q", r.String()))
	}
	conf := fmt.Sprintf(`server_name: %q
listen: "%s:%d"
jetstream: {store_dir: %q, domain: %q}
cluster: {name: %q, listen: "%s:%d", routes: [%s]}
include accounts.conf
`, o.ServerName, o.Host, o.Port, o.StoreDir, o.JetStreamDomain, o.Cluster.Name, o.Cluster.Host, o.Cluster.Port, strings.Join(routes, ", "))
	if accounts, err := os.ReadFile(filepath.Join(dir, "accounts.conf")); err == nil && strings.Contains(string(accounts), "\noperator:") {
		// Operator mode (hub.ClusterJWT): each server names its own full
		// resolver directory.
		conf += fmt.Sprintf("resolver: {type: full, dir: %q}\n", filepath.Join(o.StoreDir, "jwt"))
	}
	if o.LeafNode.Port != 0 {
		conf += fmt.Sprintf("leafnodes: {listen: \"%s:%d\"}\n", o.LeafNode.Host, o.LeafNode.Port)
	}
	file := filepath.Join(dir, o.ServerName+".conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("cluster node %s: %w", o.ServerName, err)
	}
	return readNodeConfig(file)
}

// readNodeConfig reads a node's configuration file, quiet and without
// signal handlers (in-process).
func readNodeConfig(file string) (*server.Options, error) {
	o, err := server.ProcessConfigFile(file)
	if err != nil {
		return nil, fmt.Errorf("cluster node %s: %w", file, err)
	}
	o.NoLog, o.NoSigs = true, true
	return o, nil
}

// Reload writes accounts as the accounts file every node includes and
// reloads every running node's configuration from its file, as
// nats-server --signal reload does.
func (c *Cluster) Reload(accounts string) error {
	if c.accounts == "" {
		return fmt.Errorf("cluster: started without an accounts file")
	}
	if err := os.WriteFile(c.accounts, []byte(accounts), 0o600); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	for i, s := range c.Nodes {
		o, err := readNodeConfig(c.opts[i].ConfigFile)
		if err != nil {
			return err
		}
		c.opts[i] = o
		if s == nil || !s.Running() {
			continue
		}
		if err := s.ReloadOptions(o.Clone()); err != nil {
			return fmt.Errorf("cluster node %d: reload: %w", i+1, err)
		}
	}
	return nil
}

// URL lists every node's client URL, comma-separated (NATS seeds).
func (c *Cluster) URL() string {
	var urls []string
	for _, o := range c.opts {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", o.Port))
	}
	return strings.Join(urls, ",")
}

// LeafURL is node i's leaf node listener (StartForLeafNodes).
func (c *Cluster) LeafURL(i int) string {
	return fmt.Sprintf("nats-leaf://%s:%d", c.opts[i].LeafNode.Host, c.opts[i].LeafNode.Port)
}

// NodeURL is node i's client URL alone (a client that stays on it).
func (c *Cluster) NodeURL(i int) string { return fmt.Sprintf("nats://127.0.0.1:%d", c.opts[i].Port) }

// nodeReady bounds a node's start: its listeners, and its JetStream
// recovering its store, on a machine that may be loaded (20 s was seen to
// run out under scripts/stress.sh).
const nodeReady = 60 * time.Second

// StartNode starts node i (again, on its store and ports, after StopNode).
func (c *Cluster) StartNode(i int) error {
	s, err := server.NewServer(c.opts[i].Clone())
	if err != nil {
		return fmt.Errorf("cluster node %d: %w", i+1, err)
	}
	s.SetLogger(c.logs[i], false, false)
	s.Start()
	if !s.ReadyForConnections(nodeReady) {
		s.Shutdown()
		return fmt.Errorf("cluster node %d not ready after %s; its log:\n%s", i+1, nodeReady, c.logs[i])
	}
	c.Nodes[i] = s
	return nil
}

// StopNode shuts node i down; a stopped node stays stopped.
func (c *Cluster) StopNode(i int) {
	if s := c.Nodes[i]; s != nil && s.Running() {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// Shutdown stops every node.
func (c *Cluster) Shutdown() {
	for i := range c.Nodes {
		c.StopNode(i)
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

// WaitForMetaLeader waits up to timeout until a running node is the
// JetStream meta leader and knows every running node as a peer.
func (c *Cluster) WaitForMetaLeader(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := c.metaReady()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: %w after %s", err, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) metaReady() error {
	running := 0
	for _, s := range c.Nodes {
		if s != nil && s.Running() {
			running++
		}
	}
	for _, s := range c.Nodes {
		if s != nil && s.Running() && s.JetStreamIsLeader() {
			if peers := s.JetStreamClusterPeers(); len(peers) < running {
				return fmt.Errorf("the meta leader knows %d of %d servers", len(peers), running)
			}
			return nil
		}
	}
	return fmt.Errorf("no JetStream meta leader")
}

// freePorts reserves n free TCP ports on 127.0.0.1. The listeners close
// before the servers bind, so another process could take one in between;
// the server then fails to start with a clear error.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
