package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
)

// isolate gives the test its own config folder and clears the connection
// environment, so nothing of the person running the tests leaks in.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	for _, k := range []string{"GENEVA_SERVER", "GENEVA_CREDS", "GENEVA_CONTEXT", "NO_COLOR"} {
		t.Setenv(k, "")
	}
	return dir
}

// testHub starts a hub and returns it with a function giving the
// connection flags of a member.
func testHub(t *testing.T) (*hubtest.Hub, func(id string) []string) {
	t.Helper()
	isolate(t)
	h := hubtest.StartHub(t)
	return h, func(id string) []string {
		return []string{"--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, id)}
	}
}

// bundleFile writes a one-indicator bundle at level and returns its path.
func bundleFile(t *testing.T, level, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), strings.ReplaceAll(name, " ", "-")+".json")
	require.NoError(t, os.WriteFile(path, membertest.Indicator(t, level, name), 0o600))
	return path
}

func TestConnectionSettingsPrecedence(t *testing.T) {
	h, _ := testHub(t)
	bank, isp := wire.CredsPath(h.Dir, "bank-one"), wire.CredsPath(h.Dir, "isp-two")
	whoami := func(args ...string) (string, string, int) {
		// directory works for every member; the member shows in receipts
		// of a submission, so use submit --no-wait --output json.
		out, errOut, code := runCLI(t, append([]string{"submit", "--no-wait", "--output", "json", bundleFile(t, "green", "x")}, args...)...)
		return out, errOut, code
	}

	t.Run("nothing given", func(t *testing.T) {
		_, errOut, code := whoami()
		require.Equal(t, exitUsage, code)
		require.Equal(t, "geneva: no credentials: give --creds FILE, set GENEVA_CREDS, or select a context (geneva context add NAME --server URL --creds FILE --select)\n", errOut)
	})
	t.Run("environment twins", func(t *testing.T) {
		t.Setenv("GENEVA_SERVER", h.ClientURL())
		t.Setenv("GENEVA_CREDS", bank)
		_, errOut, code := whoami()
		require.Equal(t, exitOK, code, errOut)
	})
	t.Run("selected context, flags override it", func(t *testing.T) {
		_, errOut, code := runCLI(t, "context", "add", "dev", "--server", "nats://127.0.0.1:1", "--creds", isp, "--select")
		require.Equal(t, exitOK, code, errOut)
		_, errOut, code = whoami()
		require.Equal(t, exitFailure, code)
		require.Equal(t, "geneva: connect: no answer from the hub at nats://127.0.0.1:1 (is geneva-hub running?)\n", errOut)
		_, errOut, code = whoami("--server", h.ClientURL())
		require.Equal(t, exitOK, code, errOut)
		t.Setenv("GENEVA_SERVER", h.ClientURL())
		_, errOut, code = whoami()
		require.Equal(t, exitOK, code, errOut)
	})
	t.Run("named context by flag and by environment", func(t *testing.T) {
		_, errOut, code := runCLI(t, "context", "add", "good", "--server", h.ClientURL(), "--creds", bank)
		require.Equal(t, exitOK, code, errOut)
		_, errOut, code = whoami("--context", "good")
		require.Equal(t, exitOK, code, errOut)
		t.Setenv("GENEVA_CONTEXT", "good")
		_, errOut, code = whoami()
		require.Equal(t, exitOK, code, errOut)
		_, errOut, code = whoami("--context", "nope")
		require.Equal(t, exitUsage, code)
		require.Equal(t, "geneva: no context \"nope\" (known: dev, good)\n", errOut)
	})
	t.Run("missing creds file", func(t *testing.T) {
		_, errOut, code := whoami("--server", h.ClientURL(), "--creds", "/nonexistent.creds")
		require.Equal(t, exitUsage, code)
		require.Contains(t, errOut, "geneva: creds: stat /nonexistent.creds: no such file or directory")
	})
}

// geneva-hub --dev prints "geneva --server URL --creds FILE subscribe":
// connection flags before the command name work too.
func TestConnectionFlagsBeforeTheCommand(t *testing.T) {
	_, as := testHub(t)
	out, errOut, code := runCLI(t, append(as("isp-two"), "directory", "--type", "cert")...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "cert-three")
}
