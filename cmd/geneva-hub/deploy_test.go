package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/decide"
)

// The example files in deploy/hub load: on this machine the only problems
// may be the files they name under /etc (MoU, TLS, creds), never a key or
// a value, and none of them warns (old spellings).
func TestDeployExamplesLoad(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy", "hub")
	hubCfg, hubErr := hub.LoadConfig(filepath.Join(dir, "hub.yaml"))
	workerCfg, workerErr := decide.LoadWorkerConfig(filepath.Join(dir, "worker.yaml"))
	require.Empty(t, hubCfg.Warnings, "hub.yaml")
	require.Empty(t, workerCfg.Warnings, "worker.yaml")
	for file, err := range map[string]error{"hub.yaml": hubErr, "worker.yaml": workerErr} {
		if err == nil {
			continue
		}
		for line := range strings.SplitSeq(err.Error(), "\n") {
			require.Contains(t, line, "no such file or directory", "%s: only missing /etc files may be reported", file)
			require.Contains(t, line, "/etc/geneva/", file)
		}
	}
}
