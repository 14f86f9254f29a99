package hub_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/hub"
)

// FuzzLoadConfigs: the hub's, a worker node's and an archive bridge's
// loaders take any file and answer with a config or an error, never a
// panic, and never more than a screenful of problems.
func FuzzLoadConfigs(f *testing.F) {
	f.Add(byte(0), []byte("mou_file: ../policy/demo-mou.yaml\nmax_payload: 1048576\ntls: {cert_file: a}\n"))
	f.Add(byte(1), []byte("nats_url: nats://127.0.0.1:4222\ncreds: x.creds\nworkers: 4\n"))
	f.Add(byte(2), []byte("nats_url: nats://127.0.0.1:4222\narchive: {brokers: [k:9092], batch_timeout: 1s}\n"))
	f.Add(byte(0), []byte("retention: 30d\nretention: 1h\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		file := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var err error
		switch kind % 3 {
		case 0:
			_, err = hub.LoadConfig(file)
		case 1:
			_, err = hub.LoadWorkerConfig(file)
		default:
			_, err = hub.LoadArchiveConfig(file)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 100 {
			t.Fatalf("%d lines of errors", strings.Count(err.Error(), "\n"))
		}
	})
}
