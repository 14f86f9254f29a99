package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
)

// cluster-users writes a file nats-server loads, with the operator and
// the demo MoU's members, whose creds it creates under data_dir.
func TestClusterUsersCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hub.yaml")
	mou, err := filepath.Abs(filepath.Join("..", "..", "policy", "demo-mou.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte("mou_file: "+mou+"\ndata_dir: "+filepath.Join(dir, "data")+"\n"), 0o600))
	out := filepath.Join(dir, "users.conf")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"cluster-users", "--config", cfg, "--out", out}, &stderr), stderr.String())

	conf := filepath.Join(dir, "nats.conf")
	require.NoError(t, os.WriteFile(conf, []byte("authorization { include users.conf }\n"), 0o600))
	opts, err := server.ProcessConfigFile(conf)
	require.NoError(t, err)
	require.Len(t, opts.Nkeys, 6, "the operator and the demo's five members")
	_, err = wire.CredsMember(wire.CredsPath(filepath.Join(dir, "data"), "bank-one"))
	require.NoError(t, err, "the member's creds, to hand over")

	err = run(context.Background(), []string{"cluster-users", "--config", cfg}, &stderr)
	require.ErrorContains(t, err, "usage: geneva-hub cluster-users --config FILE --out FILE")
}
