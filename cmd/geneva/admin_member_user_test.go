package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// A member admin issues creds for one of its people from its signing key;
// the file names the member, and an existing file is never replaced.
func TestAdminMemberUser(t *testing.T) {
	data := t.TempDir()
	_, err := hub.ClusterJWT(data, policy.DemoMoU(), hub.DefaultMaxPayload)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "alice.creds")
	stdout, stderr, code := runCLI(t, "admin", "member", "user", "alice", "--signing-key", hub.SigningKeyPath(data, "bank-one"), "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "user \"alice\" of member bank-one")
	st, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	member, _, err := wire.MemberOptions(out, nil)
	require.NoError(t, err)
	require.Equal(t, "bank-one", member)

	_, stderr, code = runCLI(t, "admin", "member", "user", "bob", "--signing-key", hub.SigningKeyPath(data, "bank-one"), "--out", out)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "exists")
	_, stderr, code = runCLI(t, "admin", "member", "user", "bob", "--signing-key", wire.CredsPath(data, "bank-one"), "--out", out+"2")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "not a Geneva member admin signing key")
}

// The operator revokes one user by its creds file or its key: the command
// names the key, a second revocation changes nothing, and bad input is a
// usage error naming what is wrong.
func TestAdminMemberRevokeUser(t *testing.T) {
	data := t.TempDir()
	_, err := hub.ClusterJWT(data, policy.DemoMoU(), hub.DefaultMaxPayload)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "alice.creds")
	_, stderr, code := runCLI(t, "admin", "member", "user", "alice", "--signing-key", hub.SigningKeyPath(data, "bank-one"), "--out", out)
	require.Equal(t, 0, code, stderr)
	pub, err := hub.UserKey(out)
	require.NoError(t, err)

	stdout, stderr, code := runCLI(t, "admin", "member", "revoke-user", "bank-one", out, "--data", data)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "revoked user "+pub+" of member bank-one; reload the hub")
	_, stderr, code = runCLI(t, "admin", "member", "revoke-user", "bank-one", pub, "--data", data)
	require.Equal(t, 0, code, stderr)

	for _, bad := range []struct {
		args []string
		why  string
	}{
		{[]string{"bank-one", "alice", "--data", data}, `"alice": neither a NATS user public key`},
		{[]string{"nobody", pub, "--data", data}, `member "nobody" has no JWT account`},
		{[]string{"bank-one", wire.CredsPath(data, "bank-one"), "--data", data}, "neither a NATS user public key"},
		{[]string{"bank-one", hub.JWTCredsPath(data, "bank-one"), "--data", data}, "rotate it instead"},
		{[]string{"bank-one", pub}, "--data DIR"},
	} {
		_, stderr, code = runCLI(t, append([]string{"admin", "member", "revoke-user"}, bad.args...)...)
		require.Equal(t, 2, code, "%v: %s", bad.args, stderr)
		require.Contains(t, stderr, bad.why, "%v", bad.args)
	}
}

// A member's admin revokes one of its users over the hub with its admin
// user creds: the user is refused at once, another user keeps working;
// the same command with an ordinary user's creds is refused.
func TestAdminMemberRevokeUserAsMemberAdmin(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.JWTAccounts = true }))
	issue := func(name string) string {
		out := filepath.Join(t.TempDir(), name+".creds")
		_, stderr, code := runCLI(t, "admin", "member", "user", name, "--signing-key", hub.SigningKeyPath(h.Dir, "bank-one"), "--out", out)
		require.Equal(t, 0, code, stderr)
		return out
	}
	alice, bob := issue("alice"), issue("bob")
	aliceConn, err := h.ConnectCreds("bank-one", alice)
	require.NoError(t, err)
	defer aliceConn.NC.Close()
	pub, err := hub.UserKey(alice)
	require.NoError(t, err)

	_, stderr, code := runCLI(t, "admin", "member", "revoke-user", alice, "--creds", bob, "--server", h.ClientURL())
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "not permitted: needs member bank-one's admin user creds")
	require.False(t, aliceConn.NC.IsClosed(), "an ordinary user revoked alice")

	stdout, stderr, code := runCLI(t, "admin", "member", "revoke-user", alice, "--creds", hub.MemberAdminCredsPath(h.Dir, "bank-one"), "--server", h.ClientURL())
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "revoked user "+pub+" of member bank-one; the NATS servers refuse it from now on")
	_, err = h.ConnectCreds("bank-one", alice)
	require.ErrorIs(t, err, nats.ErrAuthorization)
	bobConn, err := h.ConnectCreds("bank-one", bob)
	require.NoError(t, err, "another user of the member")
	bobConn.NC.Close()
}
