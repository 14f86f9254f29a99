package hub_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestRestartAfterCleanStopIsQuiet: a hub stopped cleanly after normal
// work (submissions decided, the intake trimmed) starts again on the same
// data without a warning: a WARN at start reads like data loss.
func TestRestartAfterCleanStopIsQuiet(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	bank := h.Member(t, "bank-one")
	for _, c := range []struct{ file, verdict string }{
		{"green-tlp1-to-all.json", "accept"},
		{"green-tlp2-to-all.json", "accept"},
		{"classified-secret-statement.json", "reject"}, // erased from the intake
	} {
		bank.Submit(t, caseBundle(t, c.file), wire.SubmitOptions{})
		require.Equal(t, c.verdict, bank.NextReceipt(t, 10*time.Second).Verdict.String(), c.file)
	}
	require.NoError(t, h.TrimIntake(context.Background(), "bank-one", time.Now().Add(time.Hour)))
	require.NoError(t, h.Stop())

	var logs hubtest.Logs
	h = hubtest.StartHub(t, hubtest.WithDir(dir), hubtest.WithLogs(&logs, slog.LevelWarn))
	require.NoError(t, h.Stop())
	require.Empty(t, strings.TrimSpace(logs.String()), "warnings on a restart after a clean stop")
}
