package hub_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// The accounts file nats-server reads puts the operator in the hub
// account and every member in its own account, with exactly the
// permissions the embedded server gives it; a suspended member has neither
// account nor user.
func TestClusterAccountsFileLoadsIntoNATS(t *testing.T) {
	dir := t.TempDir()
	mou := policy.DemoMoU()
	suspended := mou.Members[len(mou.Members)-1].ID
	mou.Members[len(mou.Members)-1].Suspended = true
	users, names, err := hub.ClusterUsers(dir, mou)
	require.NoError(t, err)
	require.Len(t, users, len(mou.Members)) // the operator, and every member but the suspended one
	accounts, err := hub.ClusterAccounts(dir, mou, hub.DefaultMaxPayload)
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.conf"), []byte(accounts), 0o600))
	conf := filepath.Join(dir, "nats.conf")
	require.NoError(t, os.WriteFile(conf, []byte("include accounts.conf\n"), 0o600))
	opts, err := server.ProcessConfigFile(conf)
	require.NoError(t, err, accounts)
	require.Len(t, opts.Nkeys, len(users))
	want := map[string]*server.NkeyUser{}
	for _, u := range users {
		want[u.Nkey] = u
	}
	for _, u := range opts.Nkeys {
		require.Contains(t, want, u.Nkey)
		if want[u.Nkey].Permissions == nil {
			require.Equal(t, hub.HubAccount, u.Account.Name, "the operator")
			require.Nil(t, u.Permissions, "the operator is unrestricted")
			continue
		}
		require.Equal(t, hub.MemberAccount(names[u.Nkey]), u.Account.Name)
		require.Equal(t, want[u.Nkey].Permissions.Publish.Allow, u.Permissions.Publish.Allow, names[u.Nkey])
		require.Equal(t, want[u.Nkey].Permissions.Subscribe.Allow, u.Permissions.Subscribe.Allow, names[u.Nkey])
	}
	for _, a := range opts.Accounts {
		require.NotEqual(t, hub.MemberAccount(suspended), a.Name)
	}
	key, err := wire.CredsMember(wire.CredsPath(dir, suspended))
	require.NoError(t, err)
	require.NotContains(t, names, key)
}
