package deadletter_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/internal/deadletter"
)

func TestPutListReplay(t *testing.T) {
	root := t.TempDir()
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"name":"\a"}`)
	m := deadletter.Message{Name: "share-7", Body: body, Headers: map[string]string{"Geneva-TLP": "amber"}}
	require.NoError(t, deadletter.Put(root, "sink-siem", m, "rejected: 422; with a semicolon\nand a line", 5, at))

	ls, err := deadletter.List(root)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	l := ls[0]
	require.Equal(t, "sink-siem", l.Queue)
	require.Equal(t, "share-7", l.Name)
	require.Equal(t, "rejected: 422; with a semicolon and a line", l.Reason, "one line, reason may hold '; '")
	require.Equal(t, 5, l.Attempts)
	require.True(t, at.Equal(l.Time))
	kept, err := os.ReadFile(l.Path(root))
	require.NoError(t, err)
	require.Equal(t, body, kept)
	why, err := os.ReadFile(filepath.Join(root, "deadletter", "sink-siem", "share-7.why"))
	require.NoError(t, err)
	require.Equal(t, "reason: rejected: 422; with a semicolon and a line; attempts: 5; time: 2026-12-07T12:00:00Z\n", string(why))

	require.NoError(t, deadletter.Replay(root, "sink-siem", "share-7"))
	ls, _ = deadletter.List(root)
	require.Empty(t, ls)
	rs, err := deadletter.Replays(root, "sink-siem")
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, body, rs[0].Body)
	require.Equal(t, "amber", rs[0].Headers["Geneva-TLP"], "headers travel with the replay")
	require.NoError(t, rs[0].Done())
	rs, _ = deadletter.Replays(root, "sink-siem")
	require.Empty(t, rs)
}

func TestReplayRefusesPathsOutsideTheQueue(t *testing.T) {
	root := t.TempDir()
	for _, c := range [][2]string{{"..", "x"}, {"q", "../../etc/passwd"}, {"q/../..", "x"}, {"q", ".hidden"}} {
		require.Error(t, deadletter.Replay(root, c[0], c[1]), "%q/%q", c[0], c[1])
	}
	require.Equal(t, "_.._etc_passwd", deadletter.SafeName("/../etc/passwd"))
}
