package hubtest

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
)

// PKI is a test CA's files: the CA, a server certificate for 127.0.0.1
// and localhost (CN "hub"), and client certificates by CN.
type PKI struct {
	CA, Cert, Key string
	clients       map[string][2]string
}

// Client is the certificate and key files of client cn.
func (p PKI) Client(cn string) (cert, key string) { c := p.clients[cn]; return c[0], c[1] }

// NewPKI writes a CA, the hub's server certificate and one client
// certificate per name in clients under dir, valid for an hour.
func NewPKI(t testing.TB, dir string, clients ...string) PKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err, "CA key")
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "geneva test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(t, err, "CA certificate")
	caCert, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600), "write %s", p)
		return p
	}
	leaf := func(serial int64, usage x509.ExtKeyUsage, name string) [2]string {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(t, err, "key of %s", name)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		must(t, err, "certificate of %s", name)
		kb, err := x509.MarshalECPrivateKey(k)
		must(t, err, "key of %s", name)
		return [2]string{write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kb)}
	}
	p := PKI{CA: write("ca.crt", "CERTIFICATE", caDER), clients: map[string][2]string{}}
	server := leaf(2, x509.ExtKeyUsageServerAuth, "hub")
	p.Cert, p.Key = server[0], server[1]
	for i, cn := range clients {
		p.clients[cn] = leaf(int64(3+i), x509.ExtKeyUsageClientAuth, cn)
	}
	return p
}
