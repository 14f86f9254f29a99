package hub

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexRebuildIsNotAWarning: the filestore's "index rebuilt" lines,
// which nats-server prints on some restarts after a clean stop, go to debug;
// every other server warning stays a warning.
func TestIndexRebuildIsNotAWarning(t *testing.T) {
	var out bytes.Buffer
	a := slogAdapter{l: slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	for _, line := range []string{
		"Filestore [GENEVA_AUDIT] Stream state detected prior state, could not locate msg block 1",
		"Filestore [GENEVA_SUBMIT_BANK-ONE] Stream state encountered internal inconsistency on recover",
		"Filestore [GENEVA_SUBMIT_BANK-ONE] Recovering stream state from index errored: corrupt state file",
		"Filestore [GENEVA_SHARE] Stream state outdated, last block has additional entries, will rebuild",
	} {
		a.Warnf("%s", line)
	}
	require.Empty(t, out.String())
	a.Warnf("Filestore [%s] lost %d messages", "GENEVA_SHARE", 3)
	require.Contains(t, out.String(), `level=WARN msg="Filestore [GENEVA_SHARE] lost 3 messages"`)
}
