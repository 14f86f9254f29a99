package archive_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/genevahub/geneva/hub/archive"
)

// Fault injection with franz-go's kfake: a fake Kafka that fails or delays
// exactly the produce requests a test picks, in seconds. It is a fake, so
// these tests add to fault_test.go and resume_test.go (real Kafka), never
// replace them.

// startKfake starts a three-broker kfake cluster, so that one write call
// becomes produce requests to several brokers and a fault on one of them
// leaves the call partly written.
func startKfake(t testing.TB) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func kfakeConfig(c *kfake.Cluster, name string) archive.Config {
	return archive.Config{
		Brokers:        c.ListenAddrs(),
		ObjectsTopic:   archive.TopicConfig{Name: name + ".objects", Partitions: 4, ReplicationFactor: 1},
		AuditTopic:     archive.TopicConfig{Name: name + ".audit", ReplicationFactor: 1},
		BatchSize:      40, // many calls, so that faults land on many of them
		WriteTimeout:   2 * time.Second,
		MinBackoff:     20 * time.Millisecond,
		MaxBackoff:     200 * time.Millisecond,
		RetentionCheck: time.Second,
	}
}

// runKfakeBridge publishes parts and audit records while the bridge copies
// them to c, waits until the bridge has archived both streams, and checks
// with kcat that every archivable object and audit record is there exactly
// once, in order in each partition. It returns the bridge's error count.
func runKfakeBridge(t *testing.T, c *kfake.Cluster, run string, parts int) float64 {
	t.Helper()
	nh := startNATS(t)
	cfg := kfakeConfig(c, run)
	br, err := archive.New(cfg, nh.js, nil) // hundreds of expected write failures: the counts below tell
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()

	pub := newPublished()
	<-publishFlow(context.Background(), t, nh, pub, run, parts, 0)
	waitArchived(t, br.Archived, nh.js, time.Minute)
	time.Sleep(200 * time.Millisecond) // a late duplicate would land now
	cancel()
	require.NoError(t, <-done)

	addr := c.ListenAddrs()[0]
	pub.checkObjects(t, addr, cfg.ObjectsTopic.Name)
	pub.checkAudit(t, addr, cfg.AuditTopic.Name)
	return errorCount(t, br)
}

// errorCount sums the bridge's write errors over both topics.
func errorCount(t testing.TB, br *archive.Bridge) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(br.Collector()))
	families, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, f := range families {
		if f.GetName() == "geneva_archive_write_errors_total" {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// Produce requests are dropped (kfake closes the connection without
// applying them) or delayed; a dropped request to one broker leaves the
// rest of its write call written on the other brokers.
func TestKfakeDroppedAndDelayedProduce(t *testing.T) {
	c := startKfake(t)
	var seen, dropped, delayed atomic.Int64
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		switch n := seen.Add(1); {
		case n%7 == 3:
			dropped.Add(1)
			return nil, errors.New("kfake test: produce request dropped"), true
		case n%5 == 1:
			delayed.Add(1)
			c.SleepControl(func() { time.Sleep(time.Duration(5+n%40) * time.Millisecond) })
		}
		return nil, nil, false // the cluster handles it as usual
	})
	errs := runKfakeBridge(t, c, "kfake-drop", 600)
	t.Logf("%d produce requests: %d dropped, %d delayed; bridge saw %.0f write errors", seen.Load(), dropped.Load(), delayed.Load(), errs)
	require.GreaterOrEqual(t, dropped.Load(), int64(5), "too few drops to mean anything")
	require.GreaterOrEqual(t, delayed.Load(), int64(5))
	require.Positive(t, errs, "the drops went unnoticed")
}

// Some produce requests fail on one partition before the broker appends
// (NOT_LEADER_FOR_PARTITION), others after it appended (REQUEST_TIMED_OUT:
// written, yet reported failed). The bridge must write the first kind again
// and must not write the second kind again.
func TestKfakeFailedAndTimedOutPartitions(t *testing.T) {
	c := startKfake(t)
	var seen atomic.Int64 // produce requests; When of the first fault counts them
	notLeader := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Partitions: []int32{1}, Err: kerr.NotLeaderForPartition, Count: -1,
		When: func(kmsg.Request) bool { return seen.Add(1)%9 == 4 }})
	timedOut := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Partitions: []int32{0, 2}, Err: kerr.RequestTimedOut, Count: -1,
		When: func(kmsg.Request) bool { return seen.Load()%11 == 6 }})
	errs := runKfakeBridge(t, c, "kfake-partial", 600)
	t.Logf("not leader: %d requests, timed out after append: %d requests; bridge saw %.0f write errors", notLeader.Hits(), timedOut.Hits(), errs)
	require.GreaterOrEqual(t, notLeader.Hits(), 3, "too few failures to mean anything")
	require.GreaterOrEqual(t, timedOut.Hits(), 3)
}
