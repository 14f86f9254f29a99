package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// buildGeneva builds the geneva binary into a temporary folder.
func buildGeneva(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "geneva")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// binary runs the built geneva with a clean environment of its own.
type binary struct {
	path string
	env  []string
}

func (b binary) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.path, args...)
	cmd.Env = b.env
	return cmd
}

func (b binary) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := b.command(ctx, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run geneva %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

func TestBinaryEndToEnd(t *testing.T) {
	cfg := isolate(t)
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	u, err := url.Parse(h.ClientURL())
	require.NoError(t, err)
	samePort := hubtest.WithConfig(func(c *hub.Config) { c.NATSListen = u.Host })
	creds := func(id string) string { return wire.CredsPath(dir, id) }
	b := binary{path: buildGeneva(t), env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cfg,
		"XDG_CONFIG_HOME=" + cfg, "GENEVA_SERVER=" + h.ClientURL()}}

	t.Run("submit exit codes", func(t *testing.T) {
		for file, want := range map[string]int{
			bundleFile(t, "green", "e2e green"):              exitOK,
			policyCase(t, "red-no-recipients.json"):          exitRejected,
			policyCase(t, "mixed-green-unmarked.json"):       exitPartial,
			filepath.Join(t.TempDir(), "missing.json"):       exitUsage,
			policyCase(t, "classified-nato-restricted.json"): exitRejected,
		} {
			out, errOut, code := b.run(t, "submit", "--creds", creds("bank-one"), file)
			require.Equal(t, want, code, "%s\n%s%s", file, out, errOut)
		}
	})
	t.Run("a context instead of flags", func(t *testing.T) {
		_, errOut, code := b.run(t, "context", "add", "e2e", "--server", h.ClientURL(), "--creds", creds("isp-two"), "--select")
		require.Equal(t, exitOK, code, errOut)
		out, errOut, code := b.run(t, "directory", "--type", "cert")
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, out, "cert-three")
		require.FileExists(t, filepath.Join(cfg, "geneva", "contexts", "e2e.json"))
	})
	t.Run("subscribe in a terminal (tmux)", func(t *testing.T) { subscribeInATerminal(t, b, cfg, h) })
	t.Run("subscribe survives hub restarts: every object once, in order", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		since := time.Now().UTC().Format(time.RFC3339Nano) // fractions of a second are read too
		sub := b.command(ctx, "subscribe", "--creds", creds("le-alpha"), "--since", since, "--type", "indicator", "--count", "6")
		stdout, err := sub.StdoutPipe()
		require.NoError(t, err)
		var errOut syncBuffer // the command writes it while the test reads it
		sub.Stderr = &errOut
		require.NoError(t, sub.Start())
		lines := bufio.NewScanner(stdout)
		next := func() subscribedLine {
			t.Helper()
			require.True(t, lines.Scan(), "subscribe ended early: %v %s", lines.Err(), errOut.String())
			var l subscribedLine
			require.NoError(t, json.Unmarshal(lines.Bytes(), &l))
			return l
		}
		var got []subscribedLine
		send := func(from, to int) {
			t.Helper()
			for i := from; i < to; i++ {
				_, e, code := b.run(t, "submit", "--server", h.ClientURL(), "--creds", creds("bank-one"), bundleFile(t, "green", fmt.Sprintf("restart %d", i)))
				require.Equal(t, exitOK, code, e)
			}
		}
		send(0, 2)
		got = append(got, next(), next())
		require.NoError(t, h.Stop())
		h = hubtest.StartHub(t, hubtest.WithDir(dir), samePort)
		send(2, 4)
		got = append(got, next())
		require.NoError(t, h.Stop())
		h = hubtest.StartHub(t, hubtest.WithDir(dir), samePort)
		send(4, 6)
		for len(got) < 6 {
			got = append(got, next())
		}
		require.False(t, lines.Scan(), "nothing after --count 6")
		require.NoError(t, sub.Wait(), errOut.String())
		for i, l := range got {
			require.Equal(t, fmt.Sprintf("restart %d", i), objectName(t, l), "object %d", i)
			if i > 0 {
				require.Greater(t, l.Seq, got[i-1].Seq)
			}
		}
	})
	t.Run("hub not running", func(t *testing.T) {
		require.NoError(t, h.Stop())
		_, errOut, code := b.run(t, "submit", "--creds", creds("bank-one"), bundleFile(t, "green", "nobody home"))
		require.Equal(t, exitFailure, code)
		require.Equal(t, "geneva: connect: no answer from the hub at "+u.String()+" (is geneva-hub running?)\n", errOut)
		_, errOut, code = b.run(t, "subscribe", "--creds", creds("le-alpha"))
		require.Equal(t, exitFailure, code)
		require.Contains(t, errOut, "(is geneva-hub running?)")
	})
}

// subscribeInATerminal runs geneva subscribe in a tmux pane, as a person
// would, submits from another process, and reads the pane.
func subscribeInATerminal(t *testing.T, b binary, cfg string, h *hubtest.Hub) {
	tmux := stixtest.Peer(t, "GENEVA_TMUX")
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	// tmux 3.3 does not always record a dead pane's exit status
	// (#{pane_dead_status} stays empty), so the pane's shell prints it. The
	// shell traps SIGINT with a command, not "", so geneva, which it
	// starts, still gets Ctrl-C as a terminal delivers it.
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	require.NoError(t, os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g default-shell /bin/sh\n"), 0o600))
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock, "-f", conf}, args...)...).CombinedOutput()
		require.NoError(t, err, "tmux %v: %s", args, out)
		return string(out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	tm("new-session", "-d", "-s", "geneva", "-x", "220", "-y", "30",
		fmt.Sprintf("trap : INT; env -i PATH=%q HOME=%q XDG_CONFIG_HOME=%q TERM=xterm-256color COLORTERM=truecolor %q subscribe --server %q --creds %q; echo \"geneva exited with status $?\"",
			os.Getenv("PATH"), cfg, cfg, b.path, h.ClientURL(), wire.CredsPath(h.Dir, "le-alpha")))
	pane := func() string { return tm("capture-pane", "-p", "-e", "-t", "geneva") }
	hubtest.Eventually(t, 10*time.Second, func() error {
		if !strings.Contains(pane(), "subscribed to "+h.ClientURL()+" as le-alpha; Ctrl-C to stop") {
			return fmt.Errorf("pane:\n%s", pane())
		}
		return nil
	})

	_, errOut, code := b.run(t, "submit", "--no-wait", "--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, "bank-one"),
		bundleFile(t, "amber", "Terminal test indicator"))
	require.Equal(t, exitOK, code, errOut)
	stored := time.Now() // the hub has it (PubAck)
	var shown string
	for time.Since(stored) < 5*time.Second && !strings.Contains(shown, "Terminal test indicator") {
		shown = pane()
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(stored)
	t.Logf("shown %v after the hub stored the submission:\n%s", took.Round(time.Millisecond), shown)
	require.Less(t, took, time.Second, "pane:\n%s", shown)
	plain := tm("capture-pane", "-p", "-t", "geneva")
	require.Regexp(t, `\d\d:\d\d:\d\d  TLP:AMBER\s+indicator\s+Terminal test indicator  from bank-one  Seen in a phishing wave`, plain)
	require.Contains(t, shown, "38;2;255;192;0", "the label in FIRST's amber")

	tm("send-keys", "-t", "geneva", "C-c")
	hubtest.Eventually(t, 5*time.Second, func() error {
		if p := tm("capture-pane", "-p", "-t", "geneva"); !strings.Contains(p, "geneva exited with status 0") {
			return fmt.Errorf("want a clean exit 0 after Ctrl-C; pane:\n%s", p)
		}
		return nil
	})
}
