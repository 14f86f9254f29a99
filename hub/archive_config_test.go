package hub_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/archive"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mou.yaml"), []byte("unused"), 0o600))
	file := filepath.Join(dir, "hub.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.ReplaceAll(text, "DIR", dir)), 0o600))
	return file
}

// Every archive setting has its YAML key.
func TestConfigArchiveSection(t *testing.T) {
	file := writeConfig(t, `
mou_file: DIR/mou.yaml
archive:
  brokers: [kafka-1:9092, kafka-2:9092]
  objects_topic: {name: o, partitions: 12, replication: 3, retention_ms: 86400000, configs: {min.insync.replicas: "2"}}
  audit_topic: {name: a}
  keep_tlp_markings: true
  batch_size: 500
  batch_bytes: 9000000
  batch_timeout: 5ms
  write_timeout: 30s
  compression: zstd
  min_backoff: 1s
  max_backoff: 1m
  retention_check: 30s
  retention_warn: 0.5
  sasl: {mechanism: SCRAM-SHA-512, username: geneva, password_file: DIR/mou.yaml}
  tls: {server_name: kafka.example}
`)
	c, err := hub.LoadConfig(file)
	require.NoError(t, err)
	require.Empty(t, c.Warnings)
	dir := filepath.Dir(file)
	require.Equal(t, archive.Settings{
		Brokers:         []string{"kafka-1:9092", "kafka-2:9092"},
		ObjectsTopic:    archive.TopicSettings{Name: "o", Partitions: 12, Replication: 3, RetentionMs: 86400000, Configs: map[string]string{"min.insync.replicas": "2"}},
		AuditTopic:      archive.TopicSettings{Name: "a"},
		KeepTLPMarkings: true,
		BatchSize:       500, BatchBytes: 9000000, BatchTimeout: 5 * time.Millisecond, WriteTimeout: 30 * time.Second,
		Compression: "zstd", MinBackoff: time.Second, MaxBackoff: time.Minute, RetentionCheck: 30 * time.Second, RetentionWarn: 0.5,
		SASL: archive.SASLSettings{Mechanism: "SCRAM-SHA-512", Username: "geneva", PasswordFile: filepath.Join(dir, "mou.yaml")},
		TLS:  archive.TLSSettings{Enabled: true, ServerName: "kafka.example"},
	}, c.Archive)
	require.True(t, c.Archive.Enabled())
}

// Archive mistakes come with the hub's others, each with file and line.
func TestConfigArchiveErrors(t *testing.T) {
	file := writeConfig(t, `
mou_file: DIR/mou.yaml
max_payload: 8388608
archive:
  objects_topic:
    name: same
    partitions: -3
  audit_topic: {name: same}
  batch_bytes: 1048576
  retention_warn: 1.5
  sasl:
    mechanism: PLAIN
  tls:
    ca_file: DIR/missing.pem
  colour: blue
`)
	_, err := hub.LoadConfig(file)
	require.Error(t, err)
	for _, want := range []string{
		":15: archive.colour: unknown field",
		":4: archive.brokers: required",
		":7: archive.objects_topic.partitions: -3",
		":8: archive.audit_topic.name: \"same\" is also the objects topic",
		":10: archive.retention_warn: 1.5",
		":11: archive.sasl.username: required with sasl.mechanism PLAIN",
		":11: archive.sasl.password_file: required",
		":14: archive.tls.ca_file: stat ",
		":9: archive.batch_bytes: 1048576 cannot hold the largest NATS message (max_payload 8388608 + 4096 for headers): set at least 8392704",
	} {
		require.Contains(t, err.Error(), file+want)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		require.True(t, strings.HasPrefix(line, file+":"), "%q names the file", line)
	}
}

// Without brokers nothing starts; with an empty section nothing is checked.
func TestConfigWithoutArchive(t *testing.T) {
	c, err := hub.LoadConfig(writeConfig(t, "mou_file: DIR/mou.yaml\n"))
	require.NoError(t, err)
	require.False(t, c.Archive.Enabled())
	require.True(t, c.Archive.IsZero())
}
