package hub_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// The users file nats-server reads gives every member exactly the
// permissions the embedded server gives it, and a suspended member none.
func TestClusterUsersFileLoadsIntoNATS(t *testing.T) {
	dir := t.TempDir()
	mou := policy.DemoMoU()
	mou.Members[len(mou.Members)-1].Suspended = true
	users, names, err := hub.ClusterUsers(dir, mou)
	require.NoError(t, err)
	require.Len(t, users, len(mou.Members)) // the operator, and every member but the suspended one

	var buf bytes.Buffer
	require.NoError(t, hub.WriteClusterUsers(&buf, users, names))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users.conf"), buf.Bytes(), 0o600))
	conf := filepath.Join(dir, "nats.conf")
	require.NoError(t, os.WriteFile(conf, []byte("authorization { include users.conf }\n"), 0o600))
	opts, err := server.ProcessConfigFile(conf)
	require.NoError(t, err, buf.String())
	require.Len(t, opts.Nkeys, len(users))
	for i, u := range opts.Nkeys {
		require.Equal(t, users[i].Nkey, u.Nkey)
		if users[i].Permissions == nil {
			require.Nil(t, u.Permissions, "the operator is unrestricted")
			continue
		}
		require.Equal(t, users[i].Permissions.Publish.Allow, u.Permissions.Publish.Allow, names[u.Nkey])
		require.Equal(t, users[i].Permissions.Subscribe.Allow, u.Permissions.Subscribe.Allow, names[u.Nkey])
	}
	suspended, err := wire.CredsMember(wire.CredsPath(dir, mou.Members[len(mou.Members)-1].ID))
	require.NoError(t, err)
	require.NotContains(t, names, suspended)
}
