package hub_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// testPKI writes a CA, a server certificate for 127.0.0.1 and a client
// certificate under dir, and returns their paths.
func testPKI(t *testing.T, dir string) (ca, cert, key, clientCert, clientKey string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "geneva test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return p
	}
	leaf := func(serial int64, usage x509.ExtKeyUsage, name string) (string, string) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		require.NoError(t, err)
		kb, err := x509.MarshalECPrivateKey(k)
		require.NoError(t, err)
		return write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kb)
	}
	ca = write("ca.crt", "CERTIFICATE", caDER)
	cert, key = leaf(2, x509.ExtKeyUsageServerAuth, "hub")
	clientCert, clientKey = leaf(3, x509.ExtKeyUsageClientAuth, "bank-one")
	return
}

func TestMutualTLS(t *testing.T) {
	ca, cert, key, clientCert, clientKey := testPKI(t, t.TempDir())
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.TLS = hub.TLSConfig{CertFile: cert, KeyFile: key, CAFile: ca, VerifyClients: true}
	}))

	_, err := h.Connect("bank-one", nats.RootCAs(ca))
	require.Error(t, err, "no client certificate")

	m, err := h.Connect("bank-one", nats.RootCAs(ca), nats.ClientCert(clientCert, clientKey))
	require.NoError(t, err)
	defer m.NC.Close()
	require.True(t, m.NC.TLSRequired())
	m.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	require.Equal(t, policy.Accept, m.NextReceipt(t, 10*time.Second).Verdict)
}
