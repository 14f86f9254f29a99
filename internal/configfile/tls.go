package configfile

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLS is a client's tls block, spelled the same in every Geneva file
// (a worker node's, an archive bridge's, the hub's against a NATS cluster,
// a connector's): CAFile alone verifies the server against that CA instead
// of the system roots; CertFile and KeyFile add a client certificate. A
// server's block (the hub's tls and http_tls) adds verify_clients.
type TLS struct {
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// IsZero reports a block with no setting.
func (t TLS) IsZero() bool { return t == TLS{} }

// Check adds every problem to bad, each field named under path ("tls"):
// cert_file and key_file go together, and every named file exists.
func (t TLS) Check(path string, bad func(field, format string, args ...any)) {
	if (t.CertFile == "") != (t.KeyFile == "") {
		bad(path, "cert_file and key_file go together")
	}
	for _, f := range []struct{ name, file string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}} {
		if f.file == "" {
			continue
		}
		if _, err := os.Stat(f.file); err != nil {
			bad(Join(path, f.name), "%v", err)
		}
	}
}

// Warn records a warning about the field at path (its line as decoded).
func (d *Decoder) Warn(path, format string, args ...any) {
	if len(d.Warnings) < MaxErrors {
		at := (&Error{File: d.File, Line: d.Lines[path], Field: path}).Error()
		d.Warnings = append(d.Warnings, at+fmt.Sprintf(format, args...))
	}
}

// ClientConfig is the client side the block gives (TLS 1.2 or later):
// CAFile replaces the system roots, CertFile and KeyFile add a client
// certificate. Errors name the field under path ("hub.tls").
func (t TLS) ClientConfig(path string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Join(path, "ca_file"), err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s: no PEM certificate in it", Join(path, "ca_file"), t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Join(path, "cert_file/key_file"), err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
