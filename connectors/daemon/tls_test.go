package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// TestConnectorOverMutualTLS: against a hub that requires client
// certificates, a connector without one cannot start (its first start
// fetches the hub's MoU, and the error names TLS), and with its hub.tls
// block it fetches the MoU and takes a share from its inbox, every call
// over the one hub/member connection it dials.
func TestConnectorOverMutualTLS(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir(), "bank-one", "le-alpha")
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.TLS = hub.TLSConfig{TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key, CAFile: pki.CA}, VerifyClients: true}
	}))
	withTLS := func(dir, block string) string {
		return strings.Replace(hubMoUConfig(h, dir, "bank-one", ""), "  mou_refresh: 100ms\n", "  mou_refresh: 100ms\n  tls: "+block+"\n", 1)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "connector.yaml")
	require.NoError(t, os.WriteFile(path, []byte(withTLS(dir, fmt.Sprintf("{ca_file: %s}", pki.CA))), 0o600))
	cfg, err := daemon.LoadConfig(path, connectors.Default)
	require.NoError(t, err)
	_, err = daemon.New(cfg, connectors.Default, nil)
	require.ErrorContains(t, err, "tls", "no client certificate: refused, and said so")

	cert, key := pki.Client("bank-one")
	dir = t.TempDir()
	c := runConfig(t, dir, "bank-one", withTLS(dir, fmt.Sprintf("{ca_file: %s, cert_file: %s, key_file: %s}", pki.CA, cert, key)))
	require.Equal(t, memberViewVersion(t, policy.DemoMoU()), c.MoUVersion(), "the hub's MoU, fetched over TLS")

	alphaCert, alphaKey := pki.Client("le-alpha")
	alpha, err := h.Connect("le-alpha", nats.RootCAs(pki.CA), nats.ClientCert(alphaCert, alphaKey))
	require.NoError(t, err)
	defer alpha.NC.Close()
	alpha.Submit(t, marked("over-tls", tlp.Green), wire.SubmitOptions{To: []string{"bank-one"}})
	eventually(t, "the share reaches the connector's sink over TLS", func() bool {
		entries, _ := os.ReadDir(filepath.Join(dir, "out"))
		return len(entries) > 0
	})
}
