package hub_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestUpgradeFromSharedAccountDataDir starts the hub on a data directory
// laid out as before member accounts (every stream in the shared account's
// jetstream/$G): the streams, the waiting share and the audit chain are all
// there, and the members' creds files work unchanged.
func TestUpgradeFromSharedAccountDataDir(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	first := shareGreenToAll(t, h)
	require.NoError(t, h.Stop())
	js := filepath.Join(dir, "jetstream")
	require.NoError(t, os.Rename(filepath.Join(js, hub.HubAccount), filepath.Join(js, "$G")), "the old layout")
	creds, err := os.ReadFile(wire.CredsPath(dir, "le-alpha"))
	require.NoError(t, err)

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	members := connectAll(t, h) // the same creds files
	got := hubtest.ExpectShares(t, members, othersOfBankOne, 300*time.Millisecond)
	require.Equal(t, first.Submission, got["le-alpha"][0].Headers().Get(wire.HeaderSubmission), "the share waited in the inbox")
	again, err := os.ReadFile(wire.CredsPath(dir, "le-alpha"))
	require.NoError(t, err)
	require.Equal(t, creds, again)
	op := h.Member(t, wire.OperatorName)
	res, err := audit.Verify(ctx(t), op.JS, wire.StreamAudit)
	require.NoError(t, err)
	require.Equal(t, uint64(1), res.Records, "the audit chain moved with the streams")
	require.NoDirExists(t, filepath.Join(js, "$G"))
	require.NoError(t, h.Stop())

	t.Run("data in both places is refused with what to do", func(t *testing.T) {
		require.NoError(t, os.MkdirAll(filepath.Join(js, "$G", "streams"), 0o700))
		hb, err := hub.New(hub.Config{DataDir: dir, NATSListen: "127.0.0.1:-1", HTTPListen: "127.0.0.1:0", MoU: h.MoU()})
		require.NoError(t, err)
		err = hb.Run(ctx(t))
		require.ErrorContains(t, err, "JetStream data both in "+filepath.Join(js, "$G"))
		require.ErrorContains(t, err, "move the other out of "+js)
	})
}
