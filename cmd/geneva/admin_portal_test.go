package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

func TestAdminPortalUser(t *testing.T) {
	h := hubtest.StartHub(t)
	as := func(who string, args ...string) (string, string, int) {
		return runCLI(t, append(append([]string{"admin", "portal-user"}, args...),
			"--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, who))...)
	}
	out, errOut, code := as(wire.OperatorName, "add", "alice", "--member", "bank-one", "--role", "reporter", "-o", "json")
	require.Equal(t, 0, code, errOut)
	var acc struct{ User, Password, TOTP, TOTPURI string }
	require.NoError(t, json.Unmarshal([]byte(out), &acc))
	require.Equal(t, "alice", acc.User)
	require.Len(t, acc.Password, 20)
	require.Contains(t, acc.TOTPURI, "otpauth://totp/Geneva:alice?")

	_, errOut, code = as(wire.OperatorName, "add", "alice", "--member", "bank-one")
	require.Equal(t, 1, code)
	require.Equal(t, "geneva: admin portal-user add: user \"alice\" exists already\n", errOut)
	_, errOut, code = as(wire.OperatorName, "add", "bob", "--member", "nobody")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `member "nobody" is not in the MoU in force`)

	out, errOut, code = as(wire.OperatorName, "list")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "USER   MEMBER    ROLE\nalice  bank-one  reporter\n", out)

	// A member cannot make itself accounts, not even for its own people.
	_, errOut, code = as("bank-one", "add", "mallory", "--member", "bank-one", "--role", "member-admin")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "not permitted: needs the hub operator's credentials")

	out, errOut, code = as(wire.OperatorName, "remove", "alice")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "removed alice\n", out)
	out, _, _ = as(wire.OperatorName, "list", "-o", "json")
	require.Equal(t, "[]\n", out)
}
