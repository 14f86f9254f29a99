package daemon

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// settledShares remembers the latest settledMemory sequences, forgets the
// oldest, and never a replayed dead letter's 0.
func TestSettledSharesKeepsTheLatest(t *testing.T) {
	s := newSettledShares()
	s.add(0)
	require.False(t, s.has(0))
	for seq := uint64(1); seq <= settledMemory+10; seq++ {
		s.add(seq)
		s.add(seq) // a second settle of the same share takes no room
	}
	for seq := uint64(1); seq <= 10; seq++ {
		require.False(t, s.has(seq), "seq %d is among the oldest", seq)
	}
	for seq := uint64(11); seq <= settledMemory+10; seq++ {
		require.True(t, s.has(seq), "seq %d", seq)
	}
	require.Len(t, s.seqs, settledMemory)
}
