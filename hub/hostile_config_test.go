package hub_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/internal/hostile"
	"github.com/genevahub/geneva/internal/httpserve"
	"github.com/genevahub/geneva/policy"
)

// TestConfigFilesRefuseHostileYAMLCheaply: the hub's, a worker node's and
// an archive bridge's files go through the shared bounded decoder. Before
// it, `tls: {verify_clients: false}` then `tls: {verify_clients: true}`
// kept the last silently and /dev/zero was read until memory ran out.
func TestConfigFilesRefuseHostileYAMLCheaply(t *testing.T) {
	dir := t.TempDir()
	loaders := map[string]func(string) error{
		"hub":     func(p string) error { _, err := hub.LoadConfig(p); return err },
		"worker":  func(p string) error { _, err := hub.LoadWorkerConfig(p); return err },
		"archive": func(p string) error { _, err := hub.LoadArchiveConfig(p); return err },
	}
	for name, load := range loaders {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name+".yaml")
			cases := append(hostile.YAML(func(p string) string { return p }),
				hostile.Case{Name: "repeated tls setting", Input: []byte("tls:\n  verify_clients: false\n  verify_clients: true\n"), Want: ":3: tls.verify_clients: duplicate field (first at line 2)"})
			if name != "hub" {
				cases[len(cases)-1].Input = []byte("creds: a\ncreds: b\n")
				cases[len(cases)-1].Want = ":2: creds: duplicate field (first at line 1)"
			}
			hostile.Run(t, cases, func(in []byte) error {
				if err := os.WriteFile(file, in, 0o600); err != nil {
					t.Fatal(err)
				}
				return load(file)
			})
			hostile.RunFiles(t, []hostile.File{{Path: "/dev/zero", Want: "not a regular file"}}, load)
		})
	}
}

// TestSizeBudgetMismatchIsSaidAtStart: an MoU allowing more than NATS
// carries is named at start with both figures, not discovered when a
// submission fails.
func TestSizeBudgetMismatchIsSaidAtStart(t *testing.T) {
	var logs strings.Builder
	_, err := hub.New(hub.Config{DataDir: t.TempDir(), NATSListen: "127.0.0.1:-1", HTTPListen: "off",
		MoU: policy.DemoMoU(), MaxPayload: 1 << 20, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level=WARN", "rules.limits.max_bytes is above what NATS carries", "mou_max_bytes=8384512", "largest_submission=1044480"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("want %q in the start log:\n%s", want, logs.String())
		}
	}
}

// TestHTTPListenerCapsConnectionsPerClient: the hub's HTTP listener (which
// the TAXII server and portal will share) serves one client at most 32
// connections at once; the next gets 503 and is closed. Before, it took
// every connection any client opened and kept idle ones as long as they
// liked.
func TestHTTPListenerCapsConnectionsPerClient(t *testing.T) {
	h := hubtest.StartHub(t)
	addr := h.HTTPAddr()
	get := func() (net.Conn, int) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			c.Close()
			return nil, 0
		}
		resp.Body.Close()
		return c, resp.StatusCode
	}
	for range httpserve.Defaults.MaxConnsPerClient {
		c, code := get() // each stays open, idle, after its answer
		if code != http.StatusOK {
			t.Fatalf("a connection within the cap got %d", code)
		}
		defer c.Close()
	}
	c, code := get()
	if c != nil {
		defer c.Close()
	}
	if code != http.StatusServiceUnavailable {
		t.Fatalf("connection %d from one client got %d, want 503", httpserve.Defaults.MaxConnsPerClient+1, code)
	}
}
