package hub_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

// spellingFile writes text (DIR: a directory with the operator's creds as
// op.creds and a stand-in file, f.pem) and returns the file's path.
func spellingFile(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	_, _, err := hub.ClusterUsers(dir, policy.DemoMoU())
	require.NoError(t, err)
	text = strings.ReplaceAll(text, "OP", wire.CredsPath(dir, wire.OperatorName))
	text = strings.ReplaceAll(text, "PEM", wire.CredsPath(dir, wire.OperatorName)) // any file that exists
	text = strings.ReplaceAll(text, "MOU", filepath.Join("..", "policy", "demo-mou.yaml"))
	file := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
	return file
}

func tlsBlock(ca, cert, key string) configfile.TLS {
	return configfile.TLS{CAFile: ca, CertFile: cert, KeyFile: key}
}

const deprecatedCAFile = ":3: ca_file: deprecated spelling: write tls.ca_file (the spelling of every Geneva file)"

// A worker node spells its TLS to the hub as every Geneva file does (tls:
// ca_file, cert_file, key_file); the old top-level ca_file still reads,
// with a warning naming its line; both at once is an error.
func TestWorkerConfigTLSSpelling(t *testing.T) {
	file := spellingFile(t, "worker.yaml", "nats_url: tls://hub:4222\ncreds: OP\ntls: {ca_file: PEM, cert_file: PEM, key_file: PEM}\n")
	c, err := hub.LoadWorkerConfig(file)
	require.NoError(t, err)
	require.Empty(t, c.Warnings)
	pem := c.Creds
	require.Equal(t, hub.HubConnection{NATSURL: "tls://hub:4222", Creds: pem, TLS: tlsBlock(pem, pem, pem)}, c.HubConnection)

	file = spellingFile(t, "worker.yaml", "nats_url: tls://hub:4222\ncreds: OP\nca_file: PEM\n")
	c, err = hub.LoadWorkerConfig(file)
	require.NoError(t, err)
	require.Equal(t, []string{file + deprecatedCAFile}, c.Warnings)
	require.Equal(t, c.Creds, c.TLS.CAFile)
	require.Empty(t, c.OldCAFile)

	file = spellingFile(t, "worker.yaml", "nats_url: tls://hub:4222\ncreds: OP\nca_file: PEM\ntls: {ca_file: PEM}\n")
	_, err = hub.LoadWorkerConfig(file)
	require.EqualError(t, err, file+":3: ca_file: the old spelling of tls.ca_file, which is given too: keep only tls.ca_file")

	file = spellingFile(t, "worker.yaml", "nats_url: tls://hub:4222\ncreds: OP\ntls: {cert_file: PEM, ca_file: /nope.pem}\n")
	_, err = hub.LoadWorkerConfig(file)
	require.ErrorContains(t, err, file+":3: tls: cert_file and key_file go together")
	require.ErrorContains(t, err, file+":3: tls.ca_file: stat /nope.pem")
}

// A standalone archive bridge: the NATS side as a worker node's, the Kafka
// side the same block plus server_name, which alone turns TLS on; the old
// tls.enabled still decides, with a warning.
func TestArchiveConfigTLSSpelling(t *testing.T) {
	file := spellingFile(t, "archive.yaml", "nats_url: tls://hub:4222\ncreds: OP\ntls: {ca_file: PEM}\narchive:\n  brokers: [k:9093]\n  tls: {}\n")
	c, err := hub.LoadArchiveConfig(file)
	require.NoError(t, err)
	require.Empty(t, c.Warnings)
	require.Equal(t, c.Creds, c.TLS.CAFile)
	require.True(t, c.Archive.TLS.Enabled, "a tls block turns TLS to the brokers on")

	file = spellingFile(t, "archive.yaml", "nats_url: tls://hub:4222\ncreds: OP\narchive:\n  brokers: [k:9093]\n  tls: {ca_file: PEM, server_name: kafka.example}\n")
	c, err = hub.LoadArchiveConfig(file)
	require.NoError(t, err)
	require.Empty(t, c.Warnings)
	require.True(t, c.Archive.TLS.Enabled)
	require.Equal(t, "kafka.example", c.Archive.TLS.ServerName)

	c, err = hub.LoadArchiveConfig(spellingFile(t, "archive.yaml", "nats_url: nats://hub:4222\ncreds: OP\narchive:\n  brokers: [k:9092]\n"))
	require.NoError(t, err)
	require.False(t, c.Archive.TLS.Enabled, "no tls block: plaintext")

	file = spellingFile(t, "archive.yaml", "nats_url: tls://hub:4222\ncreds: OP\nca_file: PEM\narchive:\n  brokers: [k:9093]\n  tls:\n    enabled: true\n")
	c, err = hub.LoadArchiveConfig(file)
	require.NoError(t, err)
	require.Equal(t, []string{
		file + deprecatedCAFile,
		file + ":7: archive.tls.enabled: deprecated spelling: drop it: a tls block turns TLS on, as in every Geneva file (tls: {} with the system roots)",
	}, c.Warnings)
	require.Equal(t, c.Creds, c.TLS.CAFile)
	require.True(t, c.Archive.TLS.Enabled)

	file = spellingFile(t, "archive.yaml", "nats_url: nats://hub:4222\ncreds: OP\narchive:\n  brokers: [k:9092]\n  tls: {enabled: false}\n")
	c, err = hub.LoadArchiveConfig(file)
	require.NoError(t, err)
	require.Len(t, c.Warnings, 1)
	require.False(t, c.Archive.TLS.Enabled, "the old enabled: false still means plaintext")

	file = spellingFile(t, "archive.yaml", "nats_url: tls://hub:4222\ncreds: OP\nca_file: PEM\ntls: {ca_file: PEM}\narchive: {brokers: [k:9092]}\n")
	_, err = hub.LoadArchiveConfig(file)
	require.EqualError(t, err, file+":3: ca_file: the old spelling of tls.ca_file, which is given too: keep only tls.ca_file")
}

// The hub's own file: with nats_url its tls block is its client side to
// the cluster (the server's settings on the embedded listener without);
// the old top-level ca_file reads with a warning, and so does its archive
// section's tls.enabled.
func TestHubConfigTLSSpelling(t *testing.T) {
	file := spellingFile(t, "hub.yaml", "mou_file: MOU\nnats_url: tls://n:4222\ncreds: OP\ntls: {ca_file: PEM, cert_file: PEM, key_file: PEM}\n")
	c, err := hub.LoadConfig(file)
	require.NoError(t, err)
	require.Empty(t, c.Warnings)
	require.Equal(t, hub.TLSConfig{TLS: configfile.TLS{CAFile: c.Creds, CertFile: c.Creds, KeyFile: c.Creds}}, c.TLS)

	file = spellingFile(t, "hub.yaml", "mou_file: MOU\nnats_url: tls://n:4222\nca_file: PEM\ncreds: OP\n")
	c, err = hub.LoadConfig(file)
	require.NoError(t, err)
	require.Equal(t, []string{file + deprecatedCAFile}, c.Warnings)
	require.Equal(t, c.Creds, c.TLS.CAFile)

	file = spellingFile(t, "hub.yaml", "mou_file: MOU\nnats_url: tls://n:4222\nca_file: PEM\ncreds: OP\ntls: {ca_file: PEM}\n")
	_, err = hub.LoadConfig(file)
	require.EqualError(t, err, file+":3: ca_file: the old spelling of tls.ca_file, which is given too: keep only tls.ca_file")

	file = spellingFile(t, "hub.yaml", "mou_file: MOU\narchive:\n  brokers: [k:9093]\n  tls: {enabled: true}\n")
	c, err = hub.LoadConfig(file)
	require.NoError(t, err)
	require.Equal(t, []string{file + ":4: archive.tls.enabled: deprecated spelling: drop it: a tls block turns TLS on, as in every Geneva file (tls: {} with the system roots)"}, c.Warnings)
	require.True(t, c.Archive.TLS.Enabled)

	// Warnings come back with errors too, so the command shows both.
	file = spellingFile(t, "hub.yaml", "mou_file: MOU\nnats_url: tls://n:4222\nca_file: PEM\ncreds: OP\ncolour: blue\n")
	c, err = hub.LoadConfig(file)
	require.ErrorContains(t, err, ":5: colour: unknown field")
	require.Equal(t, []string{file + deprecatedCAFile}, c.Warnings)
}

// A worker node presents the client certificate of its tls block: a hub
// that verifies clients refuses the node without one and lets it decide
// with one.
func TestWorkerNodeClientCertificate(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir(), wire.OperatorName)
	clientCert, clientKey := pki.Client(wire.OperatorName)
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.TLS = hub.TLSConfig{TLS: configfile.TLS{CertFile: pki.Cert, KeyFile: pki.Key, CAFile: pki.CA}, VerifyClients: true}
		c.WorkerNodesOnly = true
	}))
	conn := operatorOf(h)
	conn.TLS = tlsBlock(pki.CA, "", "")
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Under TLS 1.3 the server checks the client's certificate after the
	// client's handshake is done: the client sees either the alert
	// ("certificate required") or the closed connection, by timing.
	require.ErrorContains(t, hub.RunWorkers(c, hub.WorkerConfig{HubConnection: conn}), "tls", "no client certificate: refused")

	conn.TLS = tlsBlock(pki.CA, clientCert, clientKey)
	run, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.RunWorkers(run, hub.WorkerConfig{HubConnection: conn, Workers: 2}) }()
	defer func() {
		stop()
		require.NoError(t, <-done)
	}()
	bank, err := h.Connect("bank-one", nats.RootCAs(pki.CA), nats.ClientCert(clientCert, clientKey))
	require.NoError(t, err)
	defer bank.NC.Close()
	bank.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	r := bank.NextReceipt(t, 20*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "decided by the node over mTLS")
}

// Every tls block is one Go type at heart: the hub's (tls, http_tls), the
// connector's and the archive's each inline configfile.TLS, so its keys,
// checks and client side are written once (issue 12).
func TestEveryTLSBlockInlinesTheOne(t *testing.T) {
	for _, v := range []any{hub.TLSConfig{}, daemon.TLSConfig{}, archive.TLSSettings{}} {
		typ := reflect.TypeOf(v)
		f, ok := typ.FieldByName("TLS")
		require.True(t, ok && f.Anonymous && f.Type == reflect.TypeOf(configfile.TLS{}) && f.Tag.Get("yaml") == ",inline",
			"%s inlines configfile.TLS", typ)
		for i := range typ.NumField() {
			if tag := typ.Field(i).Tag.Get("yaml"); tag == "ca_file" || tag == "cert_file" || tag == "key_file" {
				t.Errorf("%s spells %s itself", typ, tag)
			}
		}
	}
}
