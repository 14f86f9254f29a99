package httpserve

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLS is the TLS of an HTTP listener: its certificate and key, and, with
// CAFile, the CA whose client certificates it verifies (mTLS): asked of
// every client and checked when given, or required with RequireClientCert.
type TLS struct {
	CertFile, KeyFile string
	CAFile            string
	RequireClientCert bool
}

// Config is the server-side tls.Config (TLS 1.2 at least). A client
// certificate is only ever trusted through r.TLS.VerifiedChains.
func (t TLS) Config() (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("cert_file %s, key_file %s: %w", t.CertFile, t.KeyFile, err)
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
	if t.CAFile == "" {
		if t.RequireClientCert {
			return nil, fmt.Errorf("client certificates are required but no ca_file verifies them")
		}
		return c, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	c.ClientCAs = x509.NewCertPool()
	if !c.ClientCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", t.CAFile)
	}
	c.ClientAuth = tls.VerifyClientCertIfGiven
	if t.RequireClientCert {
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return c, nil
}
