// Package retry holds the waiting between attempts that the connector
// daemon and the member client share: a capped doubling backoff and a
// sleep that ends with its context.
package retry

import (
	"context"
	"time"
)

// Backoff is the delay after n failures: 100ms doubling to maxWait.
func Backoff(n int, maxWait time.Duration) time.Duration {
	d := 100 * time.Millisecond
	for range min(n, 20) {
		d *= 2
		if d >= maxWait {
			return maxWait
		}
	}
	return d
}

// Sleep waits d; false when ctx ended first.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
