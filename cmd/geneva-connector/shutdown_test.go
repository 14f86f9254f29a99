package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// TestSIGTERMStopsGracefully: the daemon stops on SIGTERM with status 0,
// after saying so.
func TestSIGTERMStopsGracefully(t *testing.T) {
	bin := buildConnector(t)
	h := hubtest.StartHub(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mou.yaml"), policy.DemoMoUYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "connector.yaml")
	cfg := fmt.Sprintf(`hub: {server: "%s", credentials: %s}
mou: %s
spool: {dir: %s}
http: {listen: "127.0.0.1:0"}
sources:
  - {name: drop, kind: dir, path: %s}
sinks:
  - {name: console, kind: stdout, reach: organization}
`, h.ClientURL(), wire.CredsPath(h.Dir, "le-alpha"), filepath.Join(dir, "mou.yaml"), filepath.Join(dir, "spool"), dir)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cmd := exec.Command(bin, "--json-logs", "run", config)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"connector running"`) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("not running after 20s:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling the log
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 15s after SIGTERM:\n%s", logs)
	}
	if !strings.Contains(logs.String(), `"msg":"connector stopped"`) {
		t.Fatalf("no stop message:\n%s", logs)
	}
}
