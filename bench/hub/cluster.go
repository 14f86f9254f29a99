package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/natscluster"
	"github.com/genevahub/geneva/policy"
)

// The cluster sides run on 3 in-process nats-servers routed on 127.0.0.1
// with R3 streams (docs/operating.md "Cluster"): hop-r3 is the raw hop
// there, hub-c<N> is N hub processes in cluster mode sharing the work.
const clusterNodes = 3

// startClusterHop is the hop (extraStores as startHop) on the cluster.
func startClusterHop(dir string, extraStores int) (*system, error) {
	c, err := natscluster.Start(dir, clusterNodes, nil, 30*time.Second)
	if err != nil {
		return nil, err
	}
	return hopOn(c.URL(), clusterNodes, extraStores, func() { c.Shutdown(); _ = os.RemoveAll(dir) })
}

// startClusterHubs runs n hub processes (in this process) on the cluster.
func startClusterHubs(dir string, n, workers int) (*system, error) {
	accounts, err := hub.ClusterAccounts(dir, policy.DemoMoU(), hub.DefaultMaxPayload)
	if err != nil {
		return nil, err
	}
	c, err := natscluster.StartWithAccounts(filepath.Join(dir, "nats"), clusterNodes, accounts, 30*time.Second)
	if err != nil {
		return nil, err
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		c.Shutdown()
		_ = os.RemoveAll(dir)
	}
	for i := range n {
		_, stop, err := runHub(hub.Config{MoU: policy.DemoMoU(), DataDir: filepath.Join(dir, fmt.Sprint("hub", i)), Workers: workers,
			HubConnection: hub.HubConnection{NATSURL: c.URL(), Creds: wire.CredsPath(dir, wire.OperatorName)}, Replicas: clusterNodes})
		if err != nil {
			stopAll()
			return nil, err
		}
		stops = append(stops, stop)
	}
	return members(c.URL(), dir, stopAll)
}
