package audit_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
)

// Two hub processes on a 3-node cluster, each connected to another node,
// append to one R3 audit stream at once, and the stream's leader is
// stopped half way. Each record is retried until acknowledged (as a
// redelivered decision would be). The chain must stay one line: no fork,
// no gap, every record exactly once.
func TestAppendersOnTwoClusterNodesFormOneChain(t *testing.T) {
	cl, admin, leader, logs := startR3Audit(t)
	const perProcess = 60
	var wg sync.WaitGroup
	var once sync.Once
	half := make(chan struct{})
	errs := make(chan error, 2*perProcess)
	for p, l := range logs {
		wg.Go(func() {
			for i := range perProcess {
				if i == perProcess/2 {
					once.Do(func() { close(half) })
				}
				n := p*perProcess + i
				if err := appendUntilAcked(t, l, n, 30*time.Second); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	<-half
	cl.Stop(leader)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	res, err := audit.Verify(testCtx(t), admin, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(2*perProcess), res.Records, "every record once, no gap, no fork")
}

// startR3Audit creates the audit stream with 3 copies on a 3-node
// cluster, as the hub's cluster mode does (hub/cluster.go), and opens a
// Log connected to each node that does not lead it, so both survive the
// leader's loss and forward every publish to the next one.
func startR3Audit(t *testing.T) (cl *hubtest.Cluster, admin jetstream.JetStream, leader int, logs []*audit.Log) {
	t.Helper()
	cl, admin, leader = startR3AuditStream(t)
	for i := range 3 {
		if i != leader {
			logs = append(logs, openLog(t, connect(t, cl.Nodes[i].ClientURL(), jetstream.WithPublishAsyncTimeout(2*time.Second))))
		}
	}
	return cl, admin, leader, logs
}

// startR3AuditStream creates the audit stream with 3 copies and no
// direct gets on a 3-node cluster, as the hub's cluster mode does, and
// says which node leads it.
func startR3AuditStream(t *testing.T) (cl *hubtest.Cluster, admin jetstream.JetStream, leader int) {
	t.Helper()
	cl = hubtest.StartCluster(t, 3, nil)
	admin = connect(t, cl.URL())
	cfg := audit.StreamConfig(testStream, testSubject)
	cfg.Replicas, cfg.AllowDirect = 3, false
	_, err := admin.CreateStream(testCtx(t), cfg)
	require.NoError(t, err)
	s, err := admin.Stream(testCtx(t), testStream)
	require.NoError(t, err)
	leader = cl.Index(s.CachedInfo().Cluster.Leader)
	require.NotEqual(t, -1, leader)
	return cl, admin, leader
}

// appendUntilAcked appends decision n, retrying the same msg id for up
// to timeout while the cluster elects a new leader.
func appendUntilAcked(t *testing.T, l *audit.Log, n int, timeout time.Duration) error {
	_, err := appendRecordUntilAcked(t, l, n, timeout)
	return err
}

// appendRecordUntilAcked is appendUntilAcked returning the stored record.
func appendRecordUntilAcked(t *testing.T, l *audit.Log, n int, timeout time.Duration) (audit.Record, error) {
	deadline := time.Now().Add(timeout)
	for {
		r, err := l.Append(testCtx(t), decision(n), fmt.Sprintf("audit.sub-%d.decide", n))
		if err == nil || errors.Is(err, audit.ErrInvalidRecord) {
			return r, err
		}
		var broken *audit.BrokenLinkError
		if errors.As(err, &broken) || time.Now().After(deadline) {
			return r, err
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return r, err
		}
	}
}
