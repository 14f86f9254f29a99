package httpserve_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/internal/httpserve"
)

// TestTLSCertificateRenewal: a renewed certificate is served without a
// restart once both files are rewritten, and files that do not load (half
// written) leave the last good pair in service.
func TestTLSCertificateRenewal(t *testing.T) {
	dir := t.TempDir()
	old, renewed := hubtest.NewPKI(t, t.TempDir()), hubtest.NewPKI(t, t.TempDir())
	certFile, keyFile := filepath.Join(dir, "https.crt"), filepath.Join(dir, "https.key")
	install := func(p hubtest.PKI) {
		copyFile(t, p.Key, keyFile)
		copyFile(t, p.Cert, certFile)
	}
	install(old)
	tc, err := httpserve.TLS{CertFile: certFile, KeyFile: keyFile, ReloadCheck: 1}.Config()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserve.Server(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), httpserve.Limits{})
	srv.TLSConfig = tc
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })

	roots := x509.NewCertPool()
	for _, p := range []hubtest.PKI{old, renewed} {
		b, _ := os.ReadFile(p.CA)
		roots.AppendCertsFromPEM(b)
	}
	served := func() []byte {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Raw
	}
	if !bytes.Equal(served(), der(t, old.Cert)) {
		t.Fatal("not serving the configured certificate")
	}
	install(renewed) // ReloadCheck 1 ns: the next handshake looks
	if !bytes.Equal(served(), der(t, renewed.Cert)) {
		t.Fatal("the renewed certificate is not served")
	}
	if err := os.WriteFile(certFile, []byte("-----BEGIN CERTIFICATE-----\nhalf"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(served(), der(t, renewed.Cert)) {
		t.Fatal("a certificate file that does not load replaced the good one")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func der(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal(fmt.Errorf("%s: no PEM", file))
	}
	return blk.Bytes
}
