package hub_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

// TestPlainHTTPOffLoopbackIsRefused: TAXII tokens and portal passwords
// cross the HTTP listener, so a hub refuses to start with plain HTTP on an
// address other hosts reach, unless TLS is configured or plain HTTP is
// allowed in so many words (a TLS-terminating proxy in front).
func TestPlainHTTPOffLoopbackIsRefused(t *testing.T) {
	tokenFile := writeToken(t)
	cfg := func(f func(c *hub.Config)) hub.Config {
		c := hub.Config{DataDir: t.TempDir(), HTTPListen: "0.0.0.0:0", MetricsTokenFile: tokenFile, MoU: policy.DemoMoU()}
		f(&c)
		return c
	}
	for _, listen := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8443"} {
		_, err := hub.New(cfg(func(c *hub.Config) { c.HTTPListen = listen }))
		require.ErrorContains(t, err, "http_listen: "+listen+" is reachable from other hosts over plain HTTP", listen)
		require.ErrorContains(t, err, "set http_tls (cert_file, key_file)")
	}
	pki := hubtest.NewPKI(t, t.TempDir())
	for want, tc := range map[string]hub.TLSConfig{
		"http_tls: cert_file and key_file go together":           {TLS: configfile.TLS{CertFile: pki.Cert}},
		"http_tls.ca_file: required when verify_clients is true": {TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key}, VerifyClients: true},
		"http_tls.ca_file: client certificates need TLS":         {TLS: configfile.TLS{CAFile: pki.CA}},
		"http_tls.cert_file: stat /nowhere.crt":                  {TLS: configfile.TLS{CertFile: "/nowhere.crt", KeyFile: pki.Key}},
	} {
		_, err := hub.New(cfg(func(c *hub.Config) { c.HTTPTLS = tc }))
		require.ErrorContains(t, err, want)
	}

	hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.HTTPListen, c.MetricsTokenFile, c.HTTPTLS = "0.0.0.0:0", tokenFile, hub.TLSConfig{TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key}}
	}))
	hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.HTTPListen, c.MetricsTokenFile, c.HTTPAllowPlaintext = "0.0.0.0:0", tokenFile, true
	}))
}

// The hub's file spells the HTTP listener's TLS as the NATS port's, under
// http_tls; problems name the file, line and field.
func TestConfigHTTPTLS(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir())
	c, err := hub.LoadConfig(writeConfig(t, "mou_file: DIR/mou.yaml\nhttp_listen: 0.0.0.0:8443\nmetrics_token_file: "+writeToken(t)+
		"\nhttp_tls:\n  cert_file: "+pki.Cert+"\n  key_file: "+pki.Key+"\n  ca_file: "+pki.CA+"\n  verify_clients: true\n"))
	require.NoError(t, err)
	require.Equal(t, hub.TLSConfig{TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key, CAFile: pki.CA}, VerifyClients: true}, c.HTTPTLS)

	_, err = hub.LoadConfig(writeConfig(t, "mou_file: DIR/mou.yaml\nhttp_listen: 0.0.0.0:8443\nmetrics_token_file: "+writeToken(t)+"\n"))
	require.ErrorContains(t, err, "http_listen: 0.0.0.0:8443 is reachable from other hosts over plain HTTP")
	c, err = hub.LoadConfig(writeConfig(t, "mou_file: DIR/mou.yaml\nhttp_listen: 0.0.0.0:8443\nmetrics_token_file: "+writeToken(t)+"\nhttp_allow_plaintext: true\n"))
	require.NoError(t, err)
	require.True(t, c.HTTPAllowPlaintext)
}

func writeToken(t *testing.T) string {
	file := filepath.Join(t.TempDir(), "metrics.token")
	require.NoError(t, os.WriteFile(file, []byte("s3cret-metrics-token\n"), 0o600))
	return file
}
