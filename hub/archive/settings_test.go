package archive_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/internal/configfile"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kafka-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

// Settings.Config reads the password and certificates the file names.
func TestSettingsConfigReadsFiles(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret\n"), 0o600))
	cert, key := writeCert(t, dir)
	s := archive.Settings{
		Brokers:      []string{"kafka:9093"},
		ObjectsTopic: archive.TopicSettings{Name: "o", Partitions: 4, Replication: 1, Configs: map[string]string{"min.insync.replicas": "1"}},
		SASL:         archive.SASLSettings{Mechanism: "SCRAM-SHA-256", Username: "geneva", PasswordFile: pw},
		TLS:          archive.TLSSettings{TLS: configfile.TLS{CAFile: cert, CertFile: cert, KeyFile: key}, Enabled: true, ServerName: "kafka.example"},
	}
	require.Empty(t, s.Check())
	c, err := s.Config()
	require.NoError(t, err)
	require.Equal(t, archive.SASLConfig{Mechanism: "SCRAM-SHA-256", Username: "geneva", Password: "s3cret"}, c.SASL)
	require.Equal(t, archive.TopicConfig{Name: "o", Partitions: 4, ReplicationFactor: 1, Extra: map[string]string{"min.insync.replicas": "1"}}, c.ObjectsTopic)
	require.NotNil(t, c.TLS)
	require.Equal(t, "kafka.example", c.TLS.ServerName)
	require.NotNil(t, c.TLS.RootCAs)
	require.Len(t, c.TLS.Certificates, 1)

	s.TLS = archive.TLSSettings{TLS: configfile.TLS{CAFile: pw}, Enabled: true}
	_, err = s.Config()
	require.ErrorContains(t, err, "archive: tls.ca_file "+pw+": no PEM certificate in it")

	s.TLS = archive.TLSSettings{Enabled: true}
	c, err = s.Config()
	require.NoError(t, err)
	require.Nil(t, c.TLS.RootCAs, "enabled alone trusts the system roots")
}

// Check names each bad setting by its YAML path.
func TestSettingsCheck(t *testing.T) {
	s := archive.Settings{Brokers: []string{"kafka", "kafka:9092"}, MinBackoff: time.Minute, MaxBackoff: time.Second,
		BatchTimeout: -time.Second, Compression: "brotli", TLS: archive.TLSSettings{TLS: configfile.TLS{CertFile: "/nope"}}}
	var fields []string
	for _, e := range s.Check() {
		fields = append(fields, e.Field)
	}
	require.Equal(t, []string{"brokers[0]", "batch_timeout", "min_backoff", "compression", "tls", "tls.enabled", "tls.cert_file"}, fields)
	require.True(t, archive.Settings{}.IsZero())
	require.False(t, archive.Settings{BatchSize: 1}.IsZero())
}
