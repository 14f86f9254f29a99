package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The flags parse, and bad values get a clear error naming the flag.
func TestFlags(t *testing.T) {
	o, err := parseFlags([]string{"-hubs", "1,3", "-cpu", "0.25", "-n", "500"})
	require.NoError(t, err)
	require.Equal(t, []int{1, 3}, o.hubs)
	require.InDelta(t, 0.25, o.cores, 1e-9)
	require.Equal(t, 500, o.n)
	for _, bad := range [][]string{{"-hubs", "1,x"}, {"-hubs", "0"}, {"-cpu", "0"}, {"-n", "0"}} {
		_, err := parseFlags(bad)
		require.Error(t, err, "%v", bad)
	}
}

// The hop's figures are read from bench/hub's progress lines.
func TestHopLinesParse(t *testing.T) {
	out := []byte("run 1 hop-r3 idle 12 cpu-ms/s;     1417 submissions/s  133.0 cpu-µs/sub\n" +
		"      at 300/s: p50 14.2ms p99 237.1ms p999 257ms max 300ms (2400 samples)  150.0 cpu-µs/sub\n")
	require.Equal(t, "1417", string(hopRate.FindSubmatch(out)[1]))
	l := hopLatency.FindSubmatch(out)
	require.Equal(t, "14.2ms", string(l[1]))
	require.Equal(t, "237.1ms", string(l[2]))
}
