package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

// Verify on a cluster reads through an R1 consumer that may sit on a node
// whose subscription for pulls has not reached the reader's node when its
// first pull arrives: that pull is answered "no responders" and never
// repeated, and the read waited for the default missed-heartbeat time
// (30 s) instead, failing after idleTimeout (about 1 verify in 40 under
// stress, TestReplySubjectsReachNothingElseOnJWTCluster). Every verify
// must finish, each well within the bound.
func TestVerifyOnAClusterNeverStalls(t *testing.T) {
	_, admin, _, logs := startR3Audit(t)
	for n := range 3 {
		require.NoError(t, appendUntilAcked(t, logs[0], n, 30*time.Second))
	}
	const verifies = 100
	for i := range verifies {
		start := time.Now()
		res, err := audit.Verify(testCtx(t), admin, testStream)
		require.NoError(t, err, "verify %d of %d, after %s", i+1, verifies, time.Since(start))
		require.Equal(t, uint64(3), res.Records)
	}
}
