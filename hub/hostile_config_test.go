package hub_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/internal/hostile"
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
	for _, want := range []string{"level=WARN", "rules.limits.max_bytes is above what NATS carries", "mou_max_bytes=33554432", "largest_submission=1044480"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("want %q in the start log:\n%s", want, logs.String())
		}
	}
}
