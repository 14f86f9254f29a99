package kafkatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Secure is what a client needs for a broker's SASL_SSL listener: TLS with
// a throwaway CA that signed the broker's certificate (for 127.0.0.1 and
// localhost), a client certificate the listener requires, and one user
// known to PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 alike.
type Secure struct {
	Addr           string // 127.0.0.1:port of the SASL_SSL listener
	CAFile         string // PEM: the CA that signed the broker's and the client's certificates
	ClientCertFile string // PEM: a client certificate signed by the CA
	ClientKeyFile  string // PEM (PKCS #8): its key
	Username       string
	Password       string
	PasswordFile   string // the password alone, for archive's sasl.password_file

	brokerKey, brokerChain, caPEM string // PEM, for the broker's properties
}

// Mechanisms are the SASL mechanisms the listener offers.
var Mechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// newSecure makes the CA, the broker's and a client's certificates and a
// random password, and writes the client's files under dir.
func newSecure(dir string, port int) (*Secure, error) {
	ca, err := newCert("kafkatest CA", nil, nil)
	if err != nil {
		return nil, err
	}
	broker, err := newCert("kafkatest broker", ca, []string{"127.0.0.1", "localhost"})
	if err != nil {
		return nil, err
	}
	client, err := newCert("geneva", ca, nil)
	if err != nil {
		return nil, err
	}
	pw := make([]byte, 12)
	if _, err := rand.Read(pw); err != nil {
		return nil, err
	}
	s := &Secure{
		Addr:           net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		CAFile:         filepath.Join(dir, "ca.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"),
		ClientKeyFile:  filepath.Join(dir, "client-key.pem"),
		Username:       "geneva",
		Password:       hex.EncodeToString(pw), // hex: no quoting in JAAS or --add-scram
		PasswordFile:   filepath.Join(dir, "password"),
		brokerKey:      broker.keyPEM,
		brokerChain:    broker.certPEM + ca.certPEM,
		caPEM:          ca.certPEM,
	}
	for name, data := range map[string]string{s.CAFile: ca.certPEM, s.ClientCertFile: client.certPEM,
		s.ClientKeyFile: client.keyPEM, s.PasswordFile: s.Password + "\n"} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// keyPair is a certificate and its key, parsed and as PEM (PKCS #8 key).
type keyPair struct {
	cert            *x509.Certificate
	key             *ecdsa.PrivateKey
	certPEM, keyPEM string
}

// newCert makes a CA when parent is nil, else a certificate signed by
// parent: a server's for hosts, or a client's when hosts is empty.
func newCert(name string, parent *keyPair, hosts []string) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if len(hosts) > 0 {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	signerCert, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = nil
	} else {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))}, nil
}

// properties is the broker configuration of the SASL_SSL listener (the
// listener itself is declared with the others). Kafka takes PEM inline
// (ssl.keystore.type=PEM): a file keystore of PEM type would need an
// encrypted key, which Go's standard library does not write.
func (s *Secure) properties() string {
	jaas := func(module, extra string) string {
		return "org.apache.kafka.common.security." + module + " required" + extra + ";"
	}
	lines := []string{
		"listener.name.sasl_ssl.sasl.enabled.mechanisms=" + strings.Join(Mechanisms, ","),
		"listener.name.sasl_ssl.plain.sasl.jaas.config=" + jaas("plain.PlainLoginModule", fmt.Sprintf(` user_%s="%s"`, s.Username, s.Password)),
		"listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=" + jaas("scram.ScramLoginModule", ""),
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + jaas("scram.ScramLoginModule", ""),
		"listener.name.sasl_ssl.ssl.client.auth=required",
		"listener.name.sasl_ssl.ssl.keystore.type=PEM",
		"listener.name.sasl_ssl.ssl.keystore.key=" + propertyValue(s.brokerKey),
		"listener.name.sasl_ssl.ssl.keystore.certificate.chain=" + propertyValue(s.brokerChain),
		"listener.name.sasl_ssl.ssl.truststore.type=PEM",
		"listener.name.sasl_ssl.ssl.truststore.certificates=" + propertyValue(s.caPEM),
	}
	return strings.Join(lines, "\n") + "\n"
}

// propertyValue escapes a PEM for one line of a Java properties file.
func propertyValue(pem string) string { return strings.ReplaceAll(strings.TrimSpace(pem), "\n", `\n`) }

// scramArgs are kafka-storage format's arguments that store the user's
// SCRAM credentials in the cluster's bootstrap metadata (KRaft has no
// ZooKeeper to put them in before the first start).
func (s *Secure) scramArgs() []string {
	var args []string
	for _, m := range Mechanisms {
		if strings.HasPrefix(m, "SCRAM-") {
			args = append(args, "--add-scram", fmt.Sprintf("%s=[name=%s,password=%s]", m, s.Username, s.Password))
		}
	}
	return args
}

// KcatArgs are kcat's options for this listener with mechanism.
func (s *Secure) KcatArgs(mechanism string) []string {
	return []string{
		"-X", "security.protocol=SASL_SSL",
		"-X", "sasl.mechanisms=" + mechanism,
		"-X", "sasl.username=" + s.Username,
		"-X", "sasl.password=" + s.Password,
		"-X", "ssl.ca.location=" + s.CAFile,
		"-X", "ssl.certificate.location=" + s.ClientCertFile,
		"-X", "ssl.key.location=" + s.ClientKeyFile,
	}
}
