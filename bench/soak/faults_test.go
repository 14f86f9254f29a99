package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// resumeBound is how soon after each fault a submission offered after it
// must reach a member. The slowest is the partition: a sender or hub
// connected to the cut node gets nothing from JetStream until it heals,
// and the majority elects new stream leaders first (seconds).
const resumeBound = 45 * time.Second

// The short form of bench/soak -cluster: real processes on 127.0.0.1 (3
// nats-server processes from the nats-server/v2 module, 2 geneva-hub
// processes, isp-two's geneva-connector, the archive bridge when Kafka is
// installed) under a steady load through a SIGKILL of a NATS node, of a
// hub process, their restart and a partition of a node. Nothing may be
// lost or stored twice for any member, every receipt is there, the audit
// chain verifies and delivery resumes within resumeBound of every fault.
func TestClusterFaultsLoseNothing(t *testing.T) {
	lib := os.Getenv(kafkatest.LibEnv)
	if lib == "" && os.Getenv("GENEVA_REQUIRE_PEERS") == "1" {
		t.Fatalf("$%s is not set and GENEVA_REQUIRE_PEERS=1: the archive bridge needs Kafka (scripts/peers.sh)", kafkatest.LibEnv)
	}
	if lib == "" {
		t.Logf("$%s is not set: running without the archive bridge", kafkatest.LibEnv)
	}
	o := faultOptions{step: 8 * time.Second, settle: 90 * time.Second, rate: 20, hubs: 2, kafkaLib: lib}
	var progress strings.Builder
	r, err := runFaults(o, &progress)
	t.Log(progress.String())
	require.NoError(t, err)
	var report strings.Builder
	r.report(&report, o)
	t.Log(report.String())
	for _, c := range r.checks {
		require.True(t, c.ok, "%s: %s", c.what, c.got)
	}
	require.GreaterOrEqual(t, r.settled, time.Duration(0), "not everything arrived within %v", o.settle)
	for i, p := range r.phases {
		require.GreaterOrEqual(t, r.resumed[i], time.Duration(0), "%s: no delivery of a submission offered after it", p.name)
		require.LessOrEqual(t, r.resumed[i], resumeBound, "%s: delivery resumed after %v", p.name, r.resumed[i])
	}
}
