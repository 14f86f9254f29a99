package taxii_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
)

// TestTLS: the hub's HTTP listener serves TAXII over TLS (http_tls), and a
// client certificate of the configured CA names its member (CN). An
// attacker's tries: a token of another member with its own certificate, a
// Basic user that is not the certificate's, a certificate of another CA
// with a member's name, a certificate naming no member, and plain HTTP.
func TestTLS(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir(), "bank-one", "nobody")
	h := startTLSHub(t, pki, false)
	bankOne, leAlpha := h.token(t, "bank-one"), h.token(t, "le-alpha")
	withCert := func(cn string) *taxiiHub {
		cert, key := pki.Client(cn)
		return &taxiiHub{Hub: h.Hub, base: h.base, client: tlsClient(t, pki.CA, cert, key)}
	}
	const own, foreign = "/taxii2/bank-one/collections/", "/taxii2/le-alpha/collections/"

	t.Run("a token over TLS", func(t *testing.T) {
		r := h.call(t, "GET", "/taxii2/", bankOne, nil)
		require.Equal(t, 200, r.status, "%s", r.body)
		require.Equal(t, []any{h.base + "/taxii2/bank-one/"}, r.json(t)["api_roots"], "discovery names the https root")
		requireError(t, h.call(t, "GET", own, "", nil), 401)
	})
	t.Run("a client certificate is its member", func(t *testing.T) {
		c := withCert("bank-one")
		require.Equal(t, 200, c.call(t, "GET", own, "", nil).status)
		require.Equal(t, 200, c.call(t, "GET", own, bankOne, nil).status, "the certificate's member's own token")
		requireError(t, c.call(t, "GET", foreign, "", nil), 403)
	})
	t.Run("a certificate and another member's token are refused", func(t *testing.T) {
		c := withCert("bank-one")
		requireError(t, c.call(t, "GET", foreign, leAlpha, nil), 401)
		requireError(t, c.call(t, "GET", own, leAlpha, nil), 401)
		requireError(t, basic(t, c, foreign, "le-alpha", ""), 401)
	})
	t.Run("a certificate naming no member is refused", func(t *testing.T) {
		requireError(t, withCert("nobody").call(t, "GET", own, "", nil), 401)
	})
	t.Run("a certificate of another CA fails the handshake", func(t *testing.T) {
		other := hubtest.NewPKI(t, t.TempDir(), "bank-one")
		cert, key := other.Client("bank-one")
		_, err := tlsClient(t, pki.CA, cert, key).Get(h.base + own)
		require.Error(t, err)
	})
	t.Run("plain HTTP is not served", func(t *testing.T) {
		req, err := http.NewRequest("GET", "http://"+h.HTTPAddr()+own, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+bankOne)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "Go's answer to HTTP on a TLS port")
	})
	t.Run("the rest of the listener is served over TLS too", func(t *testing.T) {
		resp, err := h.client.Get(h.base + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		resp, err = h.client.Get(h.base + "/portal/")
		require.NoError(t, err)
		resp.Body.Close()
		require.Less(t, resp.StatusCode, 500, "the portal answers over TLS")
		require.NotEmpty(t, resp.Header.Get("Strict-Transport-Security"), "the portal sees the connection is TLS")
	})
}

// TestTLSRequiresClientCertificates: with http_tls.verify_clients, a
// client without a certificate of the CA is refused in the handshake,
// whatever token it sends.
func TestTLSRequiresClientCertificates(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir(), "bank-one")
	h := startTLSHub(t, pki, true)
	_, err := h.client.Get(h.base + "/taxii2/")
	require.Error(t, err, "no client certificate")
	cert, key := pki.Client("bank-one")
	c := &taxiiHub{Hub: h.Hub, base: h.base, client: tlsClient(t, pki.CA, cert, key)}
	require.Equal(t, 200, c.call(t, "GET", "/taxii2/bank-one/collections/", "", nil).status)
}
