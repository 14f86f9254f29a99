package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// clusterSystem is Geneva on a NATS cluster as separate processes on
// 127.0.0.1: three nats-server processes (the nats-server/v2 module's own
// main, built by the bench) with R3 JetStream, hub processes in cluster
// mode, isp-two's connector and, with a Kafka broker, the archive bridge.
// The embedded system holds what the soak's checks read (the seeds as
// natsURL, the creds, the sink).
type clusterSystem struct {
	*system
	nodes []*natsNode
	hubs  []*proc
	// name is the NATS cluster's, its own per run: a survivor of a killed
	// node dials that node's route port, and a cluster of another run
	// listening there under the same name (and the same server names)
	// would merge with this one (internal/natscluster).
	name string
}

// natsNode is one nats-server process with its config file, which the
// bench rewrites (and the node reloads on SIGHUP) to cut its routes.
type natsNode struct {
	*proc
	name, conf, store    string
	client, route, monit string // addresses: clients, routes, monitoring
}

// buildNATSServer builds nats-server from the module this repository
// requires (its main package is the module's root).
func buildNATSServer(dir string) (string, error) {
	bin := filepath.Join(dir, "nats-server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build nats-server: %w\n%s", err, out)
	}
	return bin, nil
}

func freeAddrs(n int) ([]string, error) {
	addrs := make([]string, n)
	for i := range addrs {
		a, err := crashtest.FreeAddr()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	return addrs, nil
}

// newClusterSystem starts 3 NATS nodes, nHubs hub processes, the connector
// and, if brokerAddr is set, the archive bridge, and waits until each serves.
func newClusterSystem(work, natsBin, hubBin, connectorBin, brokerAddr string, nHubs int) (*clusterSystem, error) {
	s := &clusterSystem{system: &system{dataDir: filepath.Join(work, "creds"), sinkDir: filepath.Join(work, "sink"),
		objectsTopic: "faults-objects", brokerAddr: brokerAddr}, name: "geneva-faults-" + nuid.Next()}
	logs := filepath.Join(work, "logs")
	natsDir := filepath.Join(work, "nats")
	for _, d := range []string{logs, natsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	mou, err := demoMoUFile(work)
	if err != nil {
		return nil, err
	}
	if err := writeClusterAccounts(s.dataDir, filepath.Join(natsDir, "accounts.conf")); err != nil {
		return nil, err
	}
	var seeds []string
	for i := range 3 {
		a, err := freeAddrs(3)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("n%d", i+1)
		n := &natsNode{name: name, conf: filepath.Join(natsDir, name+".conf"), store: filepath.Join(natsDir, name),
			client: a[0], route: a[1], monit: a[2]}
		// Up once JetStream runs; whether the node is current is waitHealthy's.
		n.proc = &proc{name: name, argv: []string{natsBin, "-c", n.conf}, probe: "http://" + n.monit + "/healthz?js-enabled-only=true", logDir: logs}
		s.nodes = append(s.nodes, n)
		seeds = append(seeds, "nats://"+n.client)
	}
	s.natsURL = strings.Join(seeds, ",")
	if err := s.writeNATSConfigs(-1); err != nil {
		return nil, err
	}
	for _, n := range s.nodes {
		if err := n.start(); err != nil {
			s.stopAll()
			return nil, err
		}
	}
	for _, n := range s.nodes {
		if err := n.waitHealthy(2 * time.Minute); err != nil {
			s.stopAll()
			return nil, err
		}
	}

	operator := wire.CredsPath(s.dataDir, wire.OperatorName)
	for i := range nHubs {
		a, err := freeAddrs(1)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("hub-%d", i+1)
		cfg, err := writeConfig(work, name+".yaml", fmt.Sprintf("nats_url: %s\ncreds: %s\nreplicas: 3\ndata_dir: %s\nhttp_listen: %s\nmou_file: %s\nworkers: 8\n",
			s.natsURL, operator, filepath.Join(work, name), a[0], mou))
		if err != nil {
			return nil, err
		}
		s.hubs = append(s.hubs, &proc{name: name, argv: []string{hubBin, "--config", cfg}, probe: "http://" + a[0] + "/readyz", logDir: logs})
	}
	s.hub = s.hubs[0]
	a, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	if s.connector, err = s.connectorProc(work, connectorBin, mou, a[0], logs); err != nil {
		return nil, err
	}
	if brokerAddr != "" {
		if s.bridge, err = s.bridgeProc(work, hubBin, a[1], "faults-audit", logs); err != nil {
			return nil, err
		}
	}
	for _, p := range s.services() { // the hubs first: they create the streams the others use
		if err := p.start(); err != nil {
			s.stopAll()
			return nil, err
		}
	}
	return s, nil
}

// writeClusterAccounts writes the hub's and the demo MoU's members' NATS
// accounts (what geneva-hub cluster-users writes), creating their creds
// under dataDir, so members are isolated on every node as in production.
func writeClusterAccounts(dataDir, file string) error {
	conf, err := hub.ClusterAccounts(dataDir, policy.DemoMoU(), hub.DefaultMaxPayload)
	if err != nil {
		return err
	}
	return os.WriteFile(file, []byte(conf), 0o600)
}

// writeNATSConfigs writes every node's config; node cut (if >= 0) gets no
// routes and the others none to it, which a reload turns into a partition
// (a route removed by a reload is not reconnected by either side).
func (s *clusterSystem) writeNATSConfigs(cut int) error {
	for i, n := range s.nodes {
		var routes []string
		for j, o := range s.nodes {
			if j != i && i != cut && j != cut {
				routes = append(routes, fmt.Sprintf("%q", "nats-route://"+o.route))
			}
		}
		conf := fmt.Sprintf(`server_name: %s
listen: %q
http: %q
jetstream { store_dir: %q }
cluster {
  name: %s
  listen: %q
  routes: [%s]
}
include "accounts.conf"
`, n.name, n.client, n.monit, n.store, s.name, n.route, strings.Join(routes, ", "))
		tmp := n.conf + ".tmp"
		if err := os.WriteFile(tmp, []byte(conf), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, n.conf); err != nil {
			return err
		}
	}
	return nil
}

// partition cuts node i's routes (cut -1: heals) by rewriting every
// config and reloading every running node, then waits up to limit until
// node i has the routes it should have (none, or one to each other node).
func (s *clusterSystem) partition(i, cut int, limit time.Duration) error {
	if err := s.writeNATSConfigs(cut); err != nil {
		return err
	}
	for _, n := range s.nodes {
		if err := n.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			return fmt.Errorf("reload %s: %w", n.name, err)
		}
	}
	healed := cut < 0
	return waitUntil(limit, func() error {
		peers, err := s.nodes[i].routedPeers()
		switch {
		case err != nil:
			return err
		case healed && len(peers) < len(s.nodes)-1:
			return fmt.Errorf("%s routes to %v after the reload", s.nodes[i].name, peers)
		case !healed && len(peers) > 0:
			return fmt.Errorf("%s still routes to %v after the reload", s.nodes[i].name, peers)
		}
		return nil
	})
}

// routedPeers names the servers node n has a route to (its /routez).
func (n *natsNode) routedPeers() ([]string, error) {
	resp, err := http.Get("http://" + n.monit + "/routez")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rz struct {
		Routes []struct {
			Name string `json:"remote_name"`
		} `json:"routes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rz); err != nil {
		return nil, fmt.Errorf("%s /routez: %w", n.name, err)
	}
	seen := map[string]bool{}
	var peers []string
	for _, r := range rz.Routes { // a route pool has several connections per peer
		if !seen[r.Name] {
			seen[r.Name] = true
			peers = append(peers, r.Name)
		}
	}
	return peers, nil
}

// waitHealthy waits until the node's full /healthz is 200: its JetStream
// has a meta leader and its streams and consumers are current.
func (n *natsNode) waitHealthy(limit time.Duration) error {
	url := "http://" + n.monit + "/healthz"
	return waitUntil(limit, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s /healthz: %s", n.name, resp.Status)
		}
		return nil
	})
}

// waitUntil polls cond until it returns nil, up to limit; then its last
// error, named with the limit.
func waitUntil(limit time.Duration, cond func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", limit, err)
		}
		time.Sleep(100 * time.Millisecond) // polling a probe
	}
}

// services are the Geneva processes, the hubs first.
func (s *clusterSystem) services() []*proc {
	ps := append([]*proc{}, s.hubs...)
	if s.bridge != nil {
		ps = append(ps, s.bridge)
	}
	return append(ps, s.connector)
}

func (s *clusterSystem) stopAll() {
	var ps []*proc // stopped in reverse: the Geneva processes, then the nodes
	for _, n := range s.nodes {
		ps = append(ps, n.proc)
	}
	ps = append(ps, s.services()...)
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].exited != nil {
			ps[i].stop()
		}
	}
}

// waitJetStream waits up to limit until each node answers JetStream API
// requests from creds' user connected to it alone.
func (s *clusterSystem) waitJetStream(creds string, limit time.Duration) error {
	for _, n := range s.nodes {
		nc, js, err := connect("nats://"+n.client, creds)
		if err != nil {
			return fmt.Errorf("%s: %w", n.name, err)
		}
		err = waitUntil(limit, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := js.AccountInfo(ctx); err != nil {
				return fmt.Errorf("%s: jetstream: %w", n.name, err)
			}
			return nil
		})
		nc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
