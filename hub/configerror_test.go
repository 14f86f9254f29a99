package hub_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

// Every configuration file reports its problems as one error type,
// configfile.Error, with the file and the line: a decoding problem and a
// validation problem alike, for the hub, a worker node, the archive, a
// connector and the MoU.
func TestOneConfigError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	mou := write("m.yaml", "version: 1\n")
	hubFile := write("hub.yaml", "mou_file: "+mou+"\nworkers: 5000\nretention: soon\n")
	workerFile := write("worker.yaml", "workers: 5000\n")
	connFile := write("conn.yaml", "hub:\n  server: nats://127.0.0.1:1\n  nonsense: 1\n")
	mouFile := write("mou.yaml", "version: 1\nnonsense: 1\n")
	_, hubErr := hub.LoadConfig(hubFile)
	_, workerErr := hub.LoadWorkerConfig(workerFile)
	_, connErr := daemon.LoadConfig(connFile, connectors.NewRegistry())
	_, mouErr := policy.LoadMoU(mouFile)
	for name, err := range map[string]error{hubFile: hubErr, workerFile: workerErr, connFile: connErr, mouFile: mouErr} {
		require.Error(t, err, name)
		var ce *configfile.Error
		require.True(t, errors.As(err, &ce), "%s: %T is not a configfile.Error: %v", name, err, err)
		require.Equal(t, name, ce.File, "%v", err)
	}
	var all []*configfile.Error
	for _, e := range hubErr.(interface{ Unwrap() []error }).Unwrap() {
		var ce *configfile.Error
		require.True(t, errors.As(e, &ce), "%T: %v", e, e)
		all = append(all, ce)
	}
	require.Len(t, all, 2, "the decoding problem (retention) and the validation problem (workers), both: %v", hubErr)
	require.Equal(t, []int{3, 2}, []int{all[0].Line, all[1].Line}, "%v", hubErr)
}
