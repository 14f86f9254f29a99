package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEachSideDeliversEverything runs every side briefly: all parts arrive
// and the figures are plausible, so the benchmark keeps working.
func TestEachSideDeliversEverything(t *testing.T) {
	o := options{runs: 1, n: 300, seconds: 2, rates: []int{200}}
	for _, side := range []string{"hop", "hop3", "hop4", "hop-acct", "hop4-acct", "hub", "hub-w4", "hop-r3", "hub-c2"} {
		res, err := runSide(side, 0, o)
		require.NoError(t, err, side)
		require.Positive(t, res.tp.perSecond, side)
		require.Positive(t, res.tp.cpuMicros, side)
		require.Len(t, res.lat, 1, side)
		require.Equal(t, 4*200, res.lat[0].samples, "%s: deliveries after the warm-up second", side)
		require.Positive(t, res.lat[0].p50, side)
		require.LessOrEqual(t, res.lat[0].p50, res.lat[0].p99, side)
	}
}
