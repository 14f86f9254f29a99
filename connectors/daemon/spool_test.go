package daemon_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
)

func item(id string) daemon.SpoolItem {
	return daemon.SpoolItem{ID: id, Source: "drop", Ref: id + ".json", Body: json.RawMessage(`{"type":"bundle"}`)}
}

func TestSpoolOrderDedupBoundAndReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := daemon.OpenSpool(dir, 2, 1<<20)
	require.NoError(t, err)
	dup, err := s.Put(item("gc-a"))
	require.NoError(t, err)
	require.False(t, dup)
	dup, err = s.Put(item("gc-a"))
	require.NoError(t, err)
	require.True(t, dup, "the same id twice is stored once")
	_, err = s.Put(item("gc-b"))
	require.NoError(t, err)
	_, err = s.Put(item("gc-c"))
	require.ErrorIs(t, err, connectors.ErrSpoolFull)

	// A crash: a half-written file is left behind; reopening drops it and
	// keeps the order.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "queue", "00000000000000000099-gc-z.json.tmp"), []byte("{"), 0o600))
	s, err = daemon.OpenSpool(dir, 2, 1<<20)
	require.NoError(t, err)
	n, _ := s.Len()
	require.Equal(t, 2, n)
	it, ok, _, err := s.Next()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "gc-a", it.ID)
	require.Error(t, s.Sent("gc-b"), "only the oldest item can be sent")
	require.NoError(t, s.Sent("gc-a"))
	require.True(t, s.Has("gc-a"), "sent and waiting for its receipt: still a duplicate")
	dup, err = s.Put(item("gc-a"))
	require.NoError(t, err)
	require.True(t, dup)
	_, err = s.Put(item("gc-c"))
	require.NoError(t, err, "room again once an item is sent")

	// Receipts: accepted items go, rejected ones move to failed/ with the receipt.
	got, ok, err := s.Settle("gc-a", true, []byte(`{"verdict":"reject"}`))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "gc-a.json", got.Ref)
	_, err = os.Stat(filepath.Join(dir, "failed", "gc-a.receipt.json"))
	require.NoError(t, err)
	_, ok, err = s.Settle("gc-a", true, nil)
	require.NoError(t, err)
	require.False(t, ok, "settled once")

	s2, err := daemon.OpenSpool(dir, 2, 1<<20)
	require.NoError(t, err)
	it, _, _, err = s2.Next()
	require.NoError(t, err)
	require.Equal(t, "gc-b", it.ID, "order survives a reopen")
}

func TestSpoolByteBound(t *testing.T) {
	s, err := daemon.OpenSpool(t.TempDir(), 100, 200)
	require.NoError(t, err)
	_, err = s.Put(item("gc-1"))
	require.NoError(t, err, "one item always fits")
	_, err = s.Put(daemon.SpoolItem{ID: "gc-2", Body: json.RawMessage(`"` + string(make([]byte, 0)) + `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`)})
	require.True(t, errors.Is(err, connectors.ErrSpoolFull), "%v", err)
}
