package taxii_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy"
)

// requireError checks a TAXII error resource with the given status.
func requireError(t *testing.T, r response, status int) {
	t.Helper()
	require.Equal(t, status, r.status, "body %s", r.body)
	require.Equal(t, "application/taxii+json;version=2.1", r.header.Get("Content-Type"))
	e := r.json(t)
	require.NotEmpty(t, e["title"], "error resource %s", r.body)
	require.EqualValues(t, itoa(status), e["http_status"])
}

// TestTokens: every member is a potential adversary with a valid token of
// its own. It must not read another's root, guess its way in, keep using
// a revoked token, or use a token once suspended.
func TestTokens(t *testing.T) {
	h := startHub(t)
	one := h.token(t, "bank-one")
	two := h.token(t, "isp-two")
	collections := "/taxii2/bank-one/collections/"

	t.Run("no token, a made-up one or another's are refused", func(t *testing.T) {
		requireError(t, h.call(t, "GET", "/taxii2/", "", nil), 401)
		requireError(t, h.call(t, "GET", collections, "", nil), 401)
		other := "x" // one character changed (to another one: the token may already hold an x there)
		if one[10] == 'x' {
			other = "y"
		}
		requireError(t, h.call(t, "GET", collections, "gvt_"+one[4:10]+other+one[11:], nil), 401)
		requireError(t, h.call(t, "GET", collections, one[:len(one)-1], nil), 401)
		// HTTP Basic: the token must be the named member's.
		requireError(t, basic(t, h, collections, "bank-one", two), 401)
		require.Equal(t, 200, basic(t, h, collections, "bank-one", one).status)
		require.Equal(t, 200, h.call(t, "GET", collections, one, nil).status)
	})

	t.Run("a member cannot list or read another's collections or statuses", func(t *testing.T) {
		for _, path := range []string{"/taxii2/bank-one/", collections, collections + "inbox/", collections + "inbox/objects/",
			collections + "inbox/manifest/", collections + "submit/", "/taxii2/bank-one/status/x/"} {
			requireError(t, h.call(t, "GET", path, two, nil), 403)
		}
		requireError(t, h.call(t, "POST", collections+"submit/objects/", two, envelope(indicator(1))), 403)
		// Discovery names only the caller's own root.
		d := h.call(t, "GET", "/taxii2/", two, nil).json(t)
		require.Equal(t, []any{h.base + "/taxii2/isp-two/"}, d["api_roots"])
		// A status id of bank-one's is not found under isp-two's root.
		st := h.call(t, "POST", collections+"submit/objects/", one, envelope(indicator(2)))
		require.Equal(t, 202, st.status, "%s", st.body)
		id := st.json(t)["id"].(string)
		require.Equal(t, 200, h.call(t, "GET", "/taxii2/bank-one/status/"+id+"/", one, nil).status)
		requireError(t, h.call(t, "GET", "/taxii2/isp-two/status/"+id+"/", two, nil), 404)
	})

	t.Run("a revoked token is refused at once", func(t *testing.T) {
		tok := h.token(t, "bank-one")
		require.Equal(t, 200, h.call(t, "GET", collections, tok, nil).status)
		var id string
		for _, ti := range h.tokenRequest(t, hub.TokenRequest{Action: "list", Member: "bank-one"}).Tokens {
			require.Empty(t, ti.Hash, "list shows no hashes")
			id = ti.ID // the newest is last
		}
		r := h.tokenRequest(t, hub.TokenRequest{Action: "revoke", Member: "bank-one", ID: id})
		require.Empty(t, r.Error)
		requireError(t, h.call(t, "GET", collections, tok, nil), 401)
		require.Equal(t, 200, h.call(t, "GET", collections, one, nil).status, "the member's other token still works")
	})

	t.Run("a suspended member is refused at once", func(t *testing.T) {
		cp := *h.MoU()
		cp.Members = append([]policy.Member(nil), cp.Members...)
		for i := range cp.Members {
			if cp.Members[i].ID == "bank-one" {
				cp.Members[i].Suspended = true
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, h.ApplyMoU(ctx, &cp))
		requireError(t, h.call(t, "GET", collections, one, nil), 403)
		requireError(t, h.call(t, "POST", collections+"submit/objects/", one, envelope(indicator(3))), 403)
	})
}

func basic(t *testing.T, h *taxiiHub, path, user, pass string) response {
	t.Helper()
	req, err := http.NewRequest("GET", h.base+path, nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, pass)
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	return readResponse(t, resp)
}

// TestDevTokens: a --dev hub writes one working token per member to
// DATA/creds/<member>.token (0600), and keeps it across a restart.
func TestDevTokens(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) { c.Dev = true }))
	read := func(member string) string {
		path := hub.TokenPath(dir, member)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return strings.TrimSpace(string(b))
	}
	for _, m := range policy.DemoMoU().Members {
		require.Equal(t, 200, h.call(t, "GET", "/taxii2/"+m.ID+"/collections/", read(m.ID), nil).status, m.ID)
	}
	before := read("bank-one")
	require.NoError(t, h.Stop())
	h = startHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) { c.Dev = true }))
	require.Equal(t, before, read("bank-one"))
	require.Equal(t, 200, h.call(t, "GET", "/taxii2/bank-one/collections/", before, nil).status)
}
