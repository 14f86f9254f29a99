package hub

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// A node that does not know the hub's account yet refuses a stream's copy
// with 10035 or 10039 (stress round 5 of session 8: the replica probe on a
// JWT cluster got 10039 from an assigned node); creations retry those, and
// only those, until the account is known. The real race cannot be forced,
// so the server's answers are played here.
func TestCreationsWaitForTheAccountOnEveryNode(t *testing.T) {
	for _, code := range []jetstream.ErrorCode{codeNoAccount, codeNotEnabledForAccount} {
		calls := 0
		v, err := untilAccountKnown(context.Background(), func() (int, error) {
			if calls++; calls < 3 {
				return 0, &jetstream.APIError{Code: 503, ErrorCode: code, Description: "not yet"}
			}
			return 7, nil
		})
		require.NoError(t, err, "code %d", code)
		require.Equal(t, 7, v)
		require.Equal(t, 3, calls, "code %d retried", code)
	}

	other := &jetstream.APIError{Code: 400, ErrorCode: 10058, Description: "stream name already in use"}
	calls := 0
	start := time.Now()
	_, err := untilAccountKnown(context.Background(), func() (int, error) { calls++; return 0, other })
	require.ErrorIs(t, err, other)
	require.Equal(t, 1, calls, "any other refusal is not retried")
	require.Less(t, time.Since(start), probeTime)
}
