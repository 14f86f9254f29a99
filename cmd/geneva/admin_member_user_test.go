package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
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
