package taxii_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
)

// taxiiHub is a hub under test with its TAXII base URL.
type taxiiHub struct {
	*hubtest.Hub
	base   string // http://127.0.0.1:port, or https://
	client *http.Client
}

func startHub(t *testing.T, opts ...hubtest.Option) *taxiiHub {
	t.Helper()
	h := hubtest.StartHub(t, opts...)
	return &taxiiHub{Hub: h, base: "http://" + h.HTTPAddr(), client: http.DefaultClient}
}

// startTLSHub starts a hub serving HTTP over TLS with pki's server
// certificate, verifying client certificates of pki's CA (required with
// requireCerts); its client trusts pki's CA and presents no certificate.
func startTLSHub(t *testing.T, pki hubtest.PKI, requireCerts bool, opts ...hubtest.Option) *taxiiHub {
	t.Helper()
	opts = append(opts, hubtest.WithConfig(func(c *hub.Config) {
		c.HTTPTLS = hub.TLSConfig{TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key, CAFile: pki.CA}, VerifyClients: requireCerts}
	}))
	h := hubtest.StartHub(t, opts...)
	return &taxiiHub{Hub: h, base: "https://" + h.HTTPAddr(), client: tlsClient(t, pki.CA, "", "")}
}

// tlsClient trusts ca and presents cert (if not "").
func tlsClient(t *testing.T, ca, cert, key string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(ca)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem))
	tc := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		require.NoError(t, err)
		tc.Certificates = []tls.Certificate{pair}
	}
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// tokenRequest asks the hub's token service as the operator.
func (h *taxiiHub) tokenRequest(t *testing.T, req hub.TokenRequest) hub.TokenReply {
	t.Helper()
	op, err := h.Connect(wire.OperatorName)
	require.NoError(t, err)
	defer op.NC.Close()
	data, _ := json.Marshal(req)
	msg, err := op.NC.Request(hub.SubjectTokenService, data, 10*time.Second)
	require.NoError(t, err)
	var reply hub.TokenReply
	require.NoError(t, json.Unmarshal(msg.Data, &reply))
	return reply
}

// token creates a TAXII token for member.
func (h *taxiiHub) token(t *testing.T, member string) string {
	t.Helper()
	r := h.tokenRequest(t, hub.TokenRequest{Action: "create", Member: member, Label: "test"})
	require.Empty(t, r.Error)
	require.NotEmpty(t, r.Token)
	return r.Token
}

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %s", r.body)
	return m
}

// page is the part of a TAXII envelope the paging tests read.
type page struct {
	More    bool
	Next    string
	Objects []struct{ ID string }
}

// page decodes r, a 200 answer, as a TAXII envelope.
func (r response) page(t *testing.T) page {
	t.Helper()
	require.Equal(t, 200, r.status, "%s", r.body)
	var env page
	require.NoError(t, json.Unmarshal(r.body, &env))
	return env
}

// call sends a TAXII request with a bearer token ("" for none).
func (h *taxiiHub) call(t *testing.T, method, path, token string, body []byte) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.base+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if body != nil {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	return readResponse(t, resp)
}

func readResponse(t *testing.T, resp *http.Response) response {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func itoa(n int) string { return fmt.Sprint(n) }

// envelope wraps STIX objects for a POST.
func envelope(objects ...any) []byte {
	b, _ := json.Marshal(map[string]any{"objects": objects})
	return b
}

// indicator is a GREEN indicator with a fresh id.
func indicator(n int) map[string]any {
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	return map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--%s", uuidN(n)),
		"created": now, "modified": now, "name": fmt.Sprintf("test %d", n),
		"pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix", "valid_from": now,
		"object_marking_refs": []string{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
	}
}

var runID = time.Now().UnixNano()

func uuidN(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(runID), n)
}
