package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestContextCommands(t *testing.T) {
	cfg := isolate(t)
	creds := filepath.Join(t.TempDir(), "bank-one.creds")
	require.NoError(t, os.WriteFile(creds, []byte("# member: bank-one\n"), 0o600))

	out, _, code := runCLI(t, "context", "ls")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "no contexts yet")

	out, errOut, code := runCLI(t, "context", "add", "dev", "--server", "nats://127.0.0.1:4222", "--creds", creds, "--description", "local hub")
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, "context \"dev\": nats://127.0.0.1:4222 as "+creds+"\n", out)
	_, _, code = runCLI(t, "context", "add", "prod", "--server", "tls://hub.example.org:4222", "--creds", creds, "--select")
	require.Equal(t, exitOK, code)
	require.FileExists(t, filepath.Join(cfg, "geneva", "contexts", "dev.json"), "XDG_CONFIG_HOME is respected")

	out, _, _ = runCLI(t, "context", "ls")
	require.Equal(t, `   NAME  SERVER                      CREDS`+pad(creds)+`DESCRIPTION
   dev   nats://127.0.0.1:4222       `+creds+`  local hub
*  prod  tls://hub.example.org:4222  `+creds+`  
`, out)

	out, _, code = runCLI(t, "context", "use", "dev")
	require.Equal(t, exitOK, code)
	require.Equal(t, "selected context \"dev\"\n", out)
	sel, err := selectedContext()
	require.NoError(t, err)
	require.Equal(t, "dev", sel)

	out, _, code = runCLI(t, "context", "rm", "dev")
	require.Equal(t, exitOK, code)
	require.Equal(t, "removed context \"dev\"\n", out)
	sel, _ = selectedContext()
	require.Empty(t, sel, "removing the selected context unselects it")

	t.Run("errors", func(t *testing.T) {
		cases := map[string]struct {
			args []string
			want string
		}{
			"use unknown":     {[]string{"context", "use", "nope"}, "geneva: no context \"nope\" (known: prod)\n"},
			"rm unknown":      {[]string{"context", "rm", "nope"}, "geneva: no context \"nope\" (known: prod)\n"},
			"add without url": {[]string{"context", "add", "x", "--creds", creds}, "geneva: context add: --server URL and --creds FILE are both required\n"},
			"add bad name":    {[]string{"context", "add", "../x", "--server", "nats://h", "--creds", creds}, "geneva: context name \"../x\": want letters, digits, '.', '_' or '-' (at most 64)\n"},
			"add no creds":    {[]string{"context", "add", "x", "--server", "nats://h", "--creds", "/nonexistent"}, "geneva: context add: --creds: stat /nonexistent: no such file or directory\n"},
			"use no name":     {[]string{"context", "use"}, "geneva: context use: want NAME, got 0 argument(s) (see --help)\n"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				_, errOut, code := runCLI(t, c.args...)
				require.Equal(t, exitUsage, code)
				require.Equal(t, c.want, errOut)
			})
		}
	})
}

// pad is the column gap after a creds path in `context ls`.
func pad(creds string) string {
	n := len(creds) + 2 - len("CREDS")
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}
