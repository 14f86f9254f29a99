package audit_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
)

// Two hub processes on a 3-node cluster append the same decisions (each
// one is a redelivery for the other) from 8 callers each, so their Logs
// send atomic batches that race for the tail and contain records the
// other already stored; the stream's leader is stopped half way. Every
// decision must be in the chain exactly once, and both processes must get
// the one stored record for it.
func TestAtomicBatchesFromTwoProcessesFormOneChain(t *testing.T) {
	cl, admin, leader, logs := startR3Audit(t)
	const n, callers = 400, 8
	got := make([][]audit.Record, len(logs))
	var wg sync.WaitGroup
	var once sync.Once
	half := make(chan struct{})
	errs := make(chan error, len(logs)*n)
	for p, l := range logs {
		got[p] = make([]audit.Record, n)
		for c := range callers {
			wg.Go(func() {
				for i := c; i < n; i += callers {
					if i == n/2 {
						once.Do(func() { close(half) })
					}
					if err := appendUntilAcked(t, l, i, 30*time.Second); err != nil {
						errs <- err
						return
					}
					r, err := appendRecordUntilAcked(t, l, i, 30*time.Second) // again: the stored one comes back
					if err != nil {
						errs <- err
						return
					}
					got[p][i] = r
				}
			})
		}
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
	require.Equal(t, uint64(n), res.Records, "every decision once, no gap, no fork")
	for i := range n {
		require.Equal(t, got[0][i].Hash, got[1][i].Hash, "decision %d: both processes got the stored record", i)
	}
}

// An R3 audit stream created without atomic batches (before them) gets
// them when a Log opens it.
func TestOpenAllowsAtomicBatchesOnAnOlderClusterStream(t *testing.T) {
	cl := hubtest.StartCluster(t, 3, nil)
	admin := connect(t, cl.URL())
	cfg := audit.StreamConfig(testStream, testSubject)
	cfg.Replicas, cfg.AllowDirect, cfg.AllowAtomicPublish = 3, false, false
	_, err := admin.CreateStream(testCtx(t), cfg)
	require.NoError(t, err)
	openLog(t, admin)
	s, err := admin.Stream(testCtx(t), testStream)
	require.NoError(t, err)
	require.True(t, s.CachedInfo().Config.AllowAtomicPublish)
}
