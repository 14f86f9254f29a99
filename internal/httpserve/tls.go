package httpserve

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
)

// TLS is the TLS of an HTTP listener: its certificate and key, and, with
// CAFile, the CA whose client certificates it verifies (mTLS): asked of
// every client and checked when given, or required with RequireClientCert.
type TLS struct {
	CertFile, KeyFile string
	CAFile            string
	RequireClientCert bool
	// ReloadCheck is how often a handshake looks whether the certificate
	// or key file changed, to serve the new pair (default 10 s).
	ReloadCheck time.Duration
}

// Config is the server-side tls.Config (TLS 1.2 at least). A client
// certificate is only ever trusted through r.TLS.VerifiedChains. A
// renewed certificate (both files rewritten) is served from the next
// check on, without a restart; a pair that does not load keeps the old
// one in service.
func (t TLS) Config() (*tls.Config, error) {
	kp := &keyPair{certFile: t.CertFile, keyFile: t.KeyFile, every: t.ReloadCheck}
	if kp.every <= 0 {
		kp.every = 10 * time.Second
	}
	if err := kp.load(); err != nil {
		return nil, err
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: kp.get}
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

// keyPair is the served certificate, reloaded when its files change.
type keyPair struct {
	certFile, keyFile string
	every             time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // the files' digest when loaded
	checked time.Time
}

func (kp *keyPair) load() error {
	stamp := kp.stampNow()
	pair, err := tls.LoadX509KeyPair(kp.certFile, kp.keyFile)
	if err != nil {
		return fmt.Errorf("cert_file %s, key_file %s: %w", kp.certFile, kp.keyFile, err)
	}
	kp.cert, kp.stamp = &pair, stamp
	return nil
}

// stampNow is a digest of the files' contents (modification times can be
// too coarse to see a quick renewal).
func (kp *keyPair) stampNow() string {
	h := sha256.New()
	for _, f := range []string{kp.certFile, kp.keyFile} {
		b, _ := os.ReadFile(f)
		h.Write(b)
	}
	return string(h.Sum(nil))
}

func (kp *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if now := time.Now(); now.Sub(kp.checked) >= kp.every {
		kp.checked = now
		if kp.stampNow() != kp.stamp {
			_ = kp.load() // half-written files: keep serving the old pair, and look again later
		}
	}
	return kp.cert, nil
}
