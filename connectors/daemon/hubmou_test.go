package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// hubMoUConfig is a connector config for member with one dir sink;
// mouFile "" leaves the mou: setting out.
func hubMoUConfig(h *hubtest.Hub, dir, member, mouFile string) string {
	cfg := fmt.Sprintf("hub:\n  server: %s\n  credentials: %s\n  mou_refresh: 100ms\nspool:\n  dir: %s\nhttp:\n  listen: 127.0.0.1:0\nsources: []\nsinks:\n  - {name: out, kind: dir, reach: organization, path: %s}\n",
		h.ClientURL(), wire.CredsPath(h.Dir, member), filepath.Join(dir, "spool"), filepath.Join(dir, "out"))
	if mouFile != "" {
		cfg += "mou: " + mouFile + "\n"
	}
	return cfg
}

// fewObjects is the demo MoU allowing one object per submission: a
// two-object bundle that the demo MoU passes is refused under it.
func fewObjects() *policy.MoU {
	m := policy.DemoMoU()
	m.Partnership.Version += "-few"
	m.Rules.Limits.MaxObjects = 1
	return m
}

func memberViewVersion(t *testing.T, m *policy.MoU) string {
	_, v, err := m.MemberView("bank-one")
	require.NoError(t, err)
	return v
}

// TestPreflightFollowsTheHubsMoU: a connector without a mou: file takes
// the hub's MoU, and when the hub applies another one its pre-flight
// decides under the new one without a restart.
func TestPreflightFollowsTheHubsMoU(t *testing.T) {
	h := hubtest.StartHub(t)
	dir := t.TempDir()
	c := runConfig(t, dir, "bank-one", hubMoUConfig(h, dir, "bank-one", ""))
	two := marked("follow", tlp.Green)
	require.Equal(t, memberViewVersion(t, policy.DemoMoU()), c.MoUVersion())
	require.NoError(t, c.PreflightCheck(two), "the demo MoU takes two objects")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.ApplyMoU(ctx, fewObjects()))
	want := memberViewVersion(t, fewObjects())
	eventually(t, "the connector follows the hub's new MoU", func() bool { return c.MoUVersion() == want })
	require.Error(t, c.PreflightCheck(two), "pre-flight still decides under the old MoU")
	cache, err := os.ReadFile(filepath.Join(dir, "spool", "hub-mou.json"))
	require.NoError(t, err)
	require.Contains(t, string(cache), want)
}

// TestConnectorStartsOnTheCachedMoUWithTheHubDown: the MoU fetched once
// is cached in the spool; started again while the hub is down, the
// connector decides under it, not under its own differing mou: file.
func TestConnectorStartsOnTheCachedMoUWithTheHubDown(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithMoU(fewObjects()))
	dir := t.TempDir()
	path := filepath.Join(dir, "first.yaml")
	require.NoError(t, os.WriteFile(path, []byte(hubMoUConfig(h, dir, "bank-one", "")), 0o600))
	cfg, err := daemon.LoadConfig(path, connectors.Default)
	require.NoError(t, err)
	_, err = daemon.New(cfg, connectors.Default, nil) // fetches and caches the hub's MoU
	require.NoError(t, err)
	require.NoError(t, h.Stop())

	local := filepath.Join(dir, "demo-mou.yaml")
	require.NoError(t, os.WriteFile(local, policy.DemoMoUYAML(), 0o600))
	second := hubMoUConfig(h, dir, "bank-one", local)
	c := runConfig(t, dir, "bank-one", second)
	require.Equal(t, memberViewVersion(t, fewObjects()), c.MoUVersion())

	// The difference is said loudly, naming both versions.
	cfg, err = daemon.ParseConfig("second.yaml", []byte(second), connectors.Default)
	require.NoError(t, err)
	var logs bytes.Buffer
	_, err = daemon.New(cfg, connectors.Default, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	require.Contains(t, logs.String(), "level=ERROR msg=\"the mou: file differs from the hub's MoU in force; pre-flight uses the hub's\"")
	require.Contains(t, logs.String(), "file_version="+memberViewVersion(t, policy.DemoMoU()))
	require.Contains(t, logs.String(), "hub_version="+memberViewVersion(t, fewObjects()))
	require.Error(t, c.PreflightCheck(marked("cached", tlp.Green)), "pre-flight decides under the mou: file, not the hub's")
}
