package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/natscluster"
	"github.com/genevahub/geneva/policy"
)

// setup is one configuration: 3 uncapped in-process nats-servers with R3
// streams and the hub's accounts (internal/natscluster), n capped
// geneva-hub processes in cluster mode, and the members' connections.
type setup struct {
	cluster   *natscluster.Cluster
	hubs      []*hubProc
	conns     []*nats.Conn
	operator  jetstream.JetStream // the hub's account: reads the receipts
	submit    jetstream.JetStream // the sender, bank-one
	receivers []jetstream.JetStream
	consumers []jetstream.ConsumeContext
	// onDelivery is the running phase's handler of a delivery (nil: none).
	onDelivery atomic.Pointer[func(data []byte, at time.Time)]
}

// receivingMembers are the four demo members a GREEN bundle from bank-one
// reaches, each reading its own inbox consumer.
var receivingMembers = []string{"le-alpha", "le-bravo", "isp-two", "cert-three"}

const (
	sender      = "bank-one"
	asyncWindow = 4000 // PubAcks the sender waits for at once
	replicas    = 3
)

// unthrottledMoU is the demo MoU with the rate quota lifted: the bench
// offers more than a member's default burst.
func unthrottledMoU() ([]byte, *policy.MoU, error) {
	q := policy.UnthrottledQuota
	data := fmt.Appendf(policy.DemoMoUYAML(), "\nquotas: {submissions_per_second: %d, submission_burst: %d}\n",
		q.SubmissionsPerSecond, q.SubmissionBurst)
	mou, err := policy.ParseMoU("unthrottled demo MoU", data)
	return data, mou, err
}

// startSetup starts a configuration of nHubs processes under dir, each
// capped to cores; hubBin is geneva-hub.
func startSetup(dir, hubBin string, nHubs, workers int, cores float64) (_ *setup, err error) {
	mouYAML, mou, err := unthrottledMoU()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	mouFile := filepath.Join(dir, "mou.yaml")
	if err := os.WriteFile(mouFile, mouYAML, 0o600); err != nil {
		return nil, err
	}
	credsDir := filepath.Join(dir, "creds")
	accounts, err := hub.ClusterAccounts(credsDir, mou, hub.DefaultMaxPayload)
	if err != nil {
		return nil, err
	}
	s := &setup{}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
		}
	}()
	if s.cluster, err = natscluster.StartWithAccounts(filepath.Join(dir, "nats"), replicas, accounts, time.Minute); err != nil {
		return nil, err
	}
	seen := map[string]bool{} // hub ids already named
	for i := range nHubs {
		name := fmt.Sprintf("hub-%d", i+1)
		addr, err := crashtest.FreeAddr()
		if err != nil {
			return nil, err
		}
		cfg := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(cfg, fmt.Appendf(nil, "nats_url: %s\ncreds: %s\nreplicas: %d\ndata_dir: %s\nhttp_listen: %s\nmou_file: %s\nworkers: %d\n",
			s.cluster.URL(), wire.CredsPath(credsDir, wire.OperatorName), replicas, filepath.Join(dir, name), addr, mouFile, workers), 0o600); err != nil {
			return nil, err
		}
		p, err := startHubProc(fmt.Sprintf("geneva-scale-%d-%s", os.Getpid(), name), hubBin, cfg, addr, filepath.Join(dir, name+".log"), cores)
		if err != nil {
			return nil, err
		}
		p.name = name
		s.hubs = append(s.hubs, p)
		// Started one at a time: the one new hub id on the servers is this one's.
		if p.id, err = s.newHubID(seen); err != nil {
			return nil, err
		}
	}
	connect := func(creds string) (jetstream.JetStream, error) {
		_, opts, err := wire.MemberOptions(creds, nil)
		if err != nil {
			return nil, err
		}
		nc, err := nats.Connect(s.cluster.URL(), opts...)
		if err != nil {
			return nil, err
		}
		s.conns = append(s.conns, nc)
		return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(asyncWindow))
	}
	if s.operator, err = connect(wire.CredsPath(credsDir, wire.OperatorName)); err != nil {
		return nil, err
	}
	if s.submit, err = connect(wire.CredsPath(credsDir, sender)); err != nil {
		return nil, err
	}
	for _, m := range receivingMembers {
		js, err := connect(wire.CredsPath(credsDir, m))
		if err != nil {
			return nil, err
		}
		s.receivers = append(s.receivers, js)
	}
	return s, s.consume()
}

// newHubID finds the hub id ("geneva-hub:<id>" connections) on the
// servers that is not in seen yet, and adds it.
func (s *setup) newHubID(seen map[string]bool) (string, error) {
	var fresh []string
	for _, n := range s.cluster.Nodes {
		cz, err := n.Connz(&server.ConnzOptions{Limit: 10000})
		if err != nil {
			return "", err
		}
		for _, c := range cz.Conns {
			if id, ok := strings.CutPrefix(c.Name, "geneva-hub:"); ok && !seen[id] {
				seen[id] = true
				fresh = append(fresh, id)
			}
		}
	}
	if len(fresh) != 1 {
		return "", fmt.Errorf("want one new hub connection on the servers, found %v", fresh)
	}
	return fresh[0], nil
}

// close stops the members, the hub processes (removing their cgroups) and the cluster.
func (s *setup) close() error {
	for _, cc := range s.consumers {
		cc.Stop()
	}
	for _, nc := range s.conns {
		nc.Close()
	}
	var errs []error
	for i := len(s.hubs) - 1; i >= 0; i-- {
		errs = append(errs, s.hubs[i].stop())
	}
	if s.cluster != nil {
		s.cluster.Shutdown()
	}
	return errors.Join(errs...)
}
