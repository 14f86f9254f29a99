package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestAdminMemberToken: create shows a token once and it opens the
// member's TAXII root; list shows no secret; revoke shuts it at once; a
// member's credentials cannot manage tokens.
func TestAdminMemberToken(t *testing.T) {
	h := hubtest.StartHub(t)
	conn := []string{"--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, wire.OperatorName)}
	token := func(t *testing.T, args ...string) (string, string, int) {
		t.Helper()
		return runCLI(t, append(append([]string{"admin", "member", "token"}, args...), conn...)...)
	}
	get := func(tok string) int {
		req, _ := http.NewRequest("GET", "http://"+h.HTTPAddr()+"/taxii2/bank-one/collections/", nil)
		req.SetBasicAuth("bank-one", tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}

	stdout, stderr, code := token(t, "create", "bank-one", "--label", "opencti")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	tok := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(tok, "gvt_"), stdout)
	require.Equal(t, 200, get(tok))

	stdout, stderr, code = token(t, "list", "bank-one")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "opencti")
	require.NotContains(t, stdout, tok[4:])
	id := strings.Fields(strings.Split(strings.TrimSpace(stdout), "\n")[1])[1]

	_, stderr, code = token(t, "revoke", "bank-one", id)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 401, get(tok))

	_, stderr, code = token(t, "revoke", "bank-one", id)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "has no token")
	_, stderr, code = token(t, "create", "le-zulu")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `member "le-zulu" is not in the MoU`)
	_, _, code = token(t, "create")
	require.Equal(t, 2, code)

	_, stderr, code = runCLI(t, "admin", "member", "token", "list", "--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, "bank-one"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "not permitted")
}
