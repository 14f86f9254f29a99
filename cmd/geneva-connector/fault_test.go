package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

type logBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

// process is a geneva-connector child process.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func startProcess(t *testing.T, bin, config string, logs *logBuffer) *process {
	t.Helper()
	cmd := exec.Command(bin, "--debug", "run", config)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start connector: %v", err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill(t) })
	return p
}

func (p *process) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("connector did not die within 10s of SIGKILL")
	}
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildConnector builds the binary once for every test of the package.
func buildConnector(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "geneva-connector-test")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "geneva-connector")
		out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func count(dir string, suffix string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), suffix) {
			n++
		}
	}
	return n
}

func markedBundle(seed string) []byte {
	var b map[string]any
	_ = json.Unmarshal(connectortest.Bundle(seed), &b)
	objs := b["objects"].([]any)
	objs[0].(map[string]any)["object_marking_refs"] = []string{tlp.ID(tlp.Green)}
	b["objects"] = append([]any{json.RawMessage(tlp.Definition(tlp.Green))}, objs...)
	out, _ := json.Marshal(b)
	return out
}

// TestSIGKILLAndHubOutageLoseAndDuplicateNothing: a source keeps producing
// while the hub is down and the connector is SIGKILLed and restarted (and
// killed once more while it forwards); when the hub returns, every item
// arrives exactly once.
func TestSIGKILLAndHubOutageLoseAndDuplicateNothing(t *testing.T) {
	bin := buildConnector(t)
	hubDir := t.TempDir()
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	startHub := func() *hubtest.Hub {
		return hubtest.StartHub(t, hubtest.WithDir(hubDir), hubtest.WithConfig(func(c *hub.Config) { c.NATSListen = listen }))
	}
	h := startHub() // provisions streams, consumers and creds
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	drop := filepath.Join(dir, "drop")
	if err := os.MkdirAll(drop, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mou.yaml"), policy.DemoMoUYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "connector.yaml")
	cfg := fmt.Sprintf(`hub: {server: "nats://%s", credentials: %s}
mou: %s
spool: {dir: %s}
sources:
  - {name: drop, kind: dir, path: %s, interval: 20ms}
`, listen, wire.CredsPath(hubDir, "bank-one"), filepath.Join(dir, "mou.yaml"), filepath.Join(dir, "spool"), drop)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	produced := 0
	produce := func(n int) {
		for range n {
			name := fmt.Sprintf("item-%03d.json", produced)
			tmp := filepath.Join(dir, name+".tmp")
			if err := os.WriteFile(tmp, markedBundle(name), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(drop, name)); err != nil {
				t.Fatal(err)
			}
			produced++
		}
	}
	logs := &logBuffer{}
	wait := func(what string, f func() bool) {
		t.Helper()
		// 45s: a receipt fetched by a killed connector comes back only after
		// the hub's 30s ack wait.
		deadline := time.Now().Add(45 * time.Second)
		for !f() {
			if time.Now().After(deadline) {
				t.Fatalf("not true after 45s: %s\nconnector logs:\n%s", what, logs)
			}
			time.Sleep(20 * time.Millisecond) // polling the file system
		}
	}

	produce(5) // before the connector runs
	p := startProcess(t, bin, config, logs)
	wait("the first items spooled", func() bool { return count(filepath.Join(drop, "done"), ".json") >= 5 })
	produce(10)
	wait("some of the next spooled", func() bool { return count(filepath.Join(drop, "done"), ".json") >= 8 })
	p.kill(t)  // SIGKILL, mid-stream
	produce(5) // while nothing runs
	p = startProcess(t, bin, config, logs)
	produce(5)
	wait("everything spooled while the hub is down", func() bool {
		return count(filepath.Join(drop, "done"), ".json") == produced
	})
	if n := count(filepath.Join(dir, "spool", "queue"), ".json"); n != produced {
		t.Fatalf("spool holds %d items, want %d", n, produced)
	}

	h = startHub()
	wait("forwarding started", func() bool { return count(filepath.Join(dir, "spool", "queue"), ".json") < produced })
	p.kill(t) // SIGKILL again, while forwarding
	startProcess(t, bin, config, logs)

	isp := h.Member(t, "isp-two")
	seen := map[string]int{}
	deadline := time.Now().Add(30 * time.Second)
	for len(seen) < produced && time.Now().Before(deadline) {
		for _, m := range isp.Collect(t, isp.StartFetch(t, wire.StreamShare, wire.InboxConsumer("isp-two"), produced, time.Second)) {
			for _, id := range connectortest.ObjectIDs(t, m.Data()) {
				if strings.HasPrefix(id, "indicator--") {
					seen[id]++
				}
			}
		}
	}
	// Anything duplicated would be stored by now: the receipts are in.
	wait("a receipt beside every file", func() bool { return count(filepath.Join(drop, "done"), ".receipt.json") == produced })
	for _, m := range isp.Shares(t) {
		for _, id := range connectortest.ObjectIDs(t, m.Data()) {
			seen[id]++
		}
	}
	if len(seen) != produced {
		t.Fatalf("isp-two received %d distinct items, want %d\nlogs:\n%s", len(seen), produced, logs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	wait("the spool is empty", func() bool {
		return count(filepath.Join(dir, "spool", "queue"), ".json") == 0 && count(filepath.Join(dir, "spool", "sent"), ".json") == 0
	})
	t.Logf("%d items, 2 SIGKILLs, 1 hub outage: each arrived once", produced)
}
