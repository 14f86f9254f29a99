package daemon

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// settledShares remembers the latest settledMemory sequences, forgets the
// oldest, and never a replayed dead letter's 0.
func TestSettledSharesKeepsTheLatest(t *testing.T) {
	s := newSettledShares()
	require.NoError(t, s.add(0))
	require.False(t, s.has(0))
	for seq := uint64(1); seq <= settledMemory+10; seq++ {
		require.NoError(t, s.add(seq))
		require.NoError(t, s.add(seq)) // a second settle of the same share takes no room
	}
	for seq := uint64(1); seq <= 10; seq++ {
		require.False(t, s.has(seq), "seq %d is among the oldest", seq)
	}
	for seq := uint64(11); seq <= settledMemory+10; seq++ {
		require.True(t, s.has(seq), "seq %d", seq)
	}
	require.Len(t, s.seqs, settledMemory)
}

// The memory outlives a restart, survives a torn last entry, and its log
// stays bounded however many shares are settled.
func TestSettledSharesOutliveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), settledLog)
	s, err := openSettledShares(path)
	require.NoError(t, err)
	for seq := uint64(1); seq <= 5*settledMemory; seq++ {
		require.NoError(t, s.add(seq))
	}
	s.close()
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.LessOrEqual(t, info.Size(), int64(2*8*settledMemory), "the log is bounded")

	// A crash in the middle of an append leaves part of an entry.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	again, err := openSettledShares(path)
	require.NoError(t, err)
	defer again.close()
	require.True(t, again.has(5*settledMemory), "the latest share is remembered after the restart")
	require.True(t, again.has(4*settledMemory+1), "the oldest kept share too")
	require.False(t, again.has(4*settledMemory), "older ones are forgotten")
	require.Len(t, again.seqs, settledMemory)
}
