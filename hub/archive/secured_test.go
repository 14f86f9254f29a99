package archive_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/internal/configfile"
)

// securedSettings are the YAML-side settings for the shared broker's
// SASL_SSL listener: TLS with the test CA and a client certificate (the
// listener requires one), and SASL with mechanism.
func securedSettings(s *kafkatest.Secure, mechanism, name string) archive.Settings {
	return archive.Settings{
		Brokers:        []string{s.Addr},
		ObjectsTopic:   archive.TopicSettings{Name: name + ".objects", Partitions: 4, Replication: 1},
		AuditTopic:     archive.TopicSettings{Name: name + ".audit", Replication: 1},
		MinBackoff:     50 * time.Millisecond,
		MaxBackoff:     time.Second,
		RetentionCheck: 200 * time.Millisecond,
		SASL:           archive.SASLSettings{Mechanism: mechanism, Username: s.Username, PasswordFile: s.PasswordFile},
		TLS:            archive.TLSSettings{TLS: configfile.TLS{CAFile: s.CAFile, CertFile: s.ClientCertFile, KeyFile: s.ClientKeyFile}, Enabled: true},
	}
}

// securedConfig checks the settings and reads their files, as the hub does.
func securedConfig(t *testing.T, s archive.Settings) archive.Config {
	t.Helper()
	require.Empty(t, s.Check())
	cfg, err := s.Config()
	require.NoError(t, err)
	return cfg
}

// Through a SASL_SSL listener of a real broker, with each mechanism the
// settings offer, the bridge creates its topics and archives every part;
// kcat, logging in over SASL_SSL too, finds every object once with its
// headers and every audit entry.
func TestBridgeOverSASLSSL(t *testing.T) {
	broker := kafkatest.Shared(t)
	for _, mech := range kafkatest.Mechanisms {
		t.Run(mech, func(t *testing.T) {
			nh := startNATS(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pub := newPublished()
			run := "secured-" + strings.ToLower(mech)
			for n := range 15 {
				pub.publishPart(ctx, t, nh.js, run, n, 1+n%3)
				pub.publishAudit(ctx, t, nh.js, run, n)
			}
			settings := securedSettings(broker.Secure, mech, run)
			cfg := securedConfig(t, settings)
			br, err := archive.New(cfg, nh.js, testLogger(t))
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- br.Run(ctx) }()
			waitArchived(t, br.Archived, nh.js, 30*time.Second)
			cancel()
			require.NoError(t, <-done)

			pub.checkObjectRecords(t, kafkatest.KcatConsumeSecure(t, broker.Secure, mech, settings.ObjectsTopic.Name))
			pub.checkAuditRecords(t, kafkatest.KcatConsumeSecure(t, broker.Secure, mech, settings.AuditTopic.Name))
			require.NotEmpty(t, pub.objects)

			// The readers' dialer (geneva report) logs in with the same settings.
			dialer, err := cfg.Dialer("geneva-test")
			require.NoError(t, err)
			dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer dcancel()
			conn, err := dialer.DialContext(dctx, "tcp", broker.Secure.Addr)
			require.NoError(t, err)
			defer conn.Close()
			parts, err := conn.ReadPartitions(settings.ObjectsTopic.Name)
			require.NoError(t, err)
			require.Len(t, parts, settings.ObjectsTopic.Partitions)
		})
	}
}

// A bridge the secured listener refuses says why in one log line, keeps
// retrying, and writes nothing (its topics are never even created).
func TestBridgeRefusedBySecuredListener(t *testing.T) {
	broker := kafkatest.Shared(t)
	s := broker.Secure
	dir := t.TempDir()
	wrongPassword := dir + "/wrong-password"
	require.NoError(t, os.WriteFile(wrongPassword, []byte("not-"+s.Password+"\n"), 0o600))
	otherCA, _ := writeCert(t, dir)

	cases := []struct {
		name    string
		change  func(*archive.Settings)
		problem string // the settings to check, from the bridge
		err     string // the cause, from kafka-go or crypto/tls
	}{
		{"plain-wrong-password", func(st *archive.Settings) { st.SASL.PasswordFile = wrongPassword },
			"refused the SASL login", "Invalid username or password"},
		{"scram-wrong-password", func(st *archive.Settings) { st.SASL.Mechanism, st.SASL.PasswordFile = "SCRAM-SHA-512", wrongPassword },
			"refused the SASL login", "invalid credentials with SASL mechanism SCRAM-SHA-512"},
		{"untrusted-ca", func(st *archive.Settings) { st.TLS.CAFile = otherCA },
			"not signed by tls.ca_file", "certificate signed by unknown authority"},
		{"no-client-certificate", func(st *archive.Settings) { st.TLS.CertFile, st.TLS.KeyFile = "", "" },
			"check tls.cert_file and tls.key_file", "tls: bad certificate"},
		{"wrong-server-name", func(st *archive.Settings) { st.TLS.ServerName = "kafka.example" },
			"does not name the address dialled", "not kafka.example"},
		{"no-tls", func(st *archive.Settings) { st.TLS = archive.TLSSettings{} },
			"the listener expects TLS: add a tls block (tls: {} trusts the system roots)", "broker appears to be expecting TLS"},
		{"sasl-to-plaintext-listener", func(st *archive.Settings) { st.Brokers, st.TLS = []string{broker.Addr}, archive.TLSSettings{} },
			"does not offer sasl.mechanism", "Illegal SASL State"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nh := startNATS(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pub := newPublished()
			for n := range 3 {
				pub.publishPart(ctx, t, nh.js, c.name, n, 1)
			}
			settings := securedSettings(s, "PLAIN", "refused."+c.name)
			c.change(&settings)
			logs := &syncBuffer{}
			br, err := archive.New(securedConfig(t, settings), nh.js, slog.New(slog.NewTextHandler(logs, nil)))
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- br.Run(ctx) }()
			deadline := time.Now().Add(15 * time.Second)
			for !strings.Contains(logs.String(), c.err) {
				if time.Now().After(deadline) {
					t.Fatalf("no %q in the bridge's logs after 15s:\n%s", c.err, logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			require.NoError(t, <-done)

			line := logLine(logs.String(), c.err)
			t.Log(line)
			require.Contains(t, line, "level=ERROR msg=\"archive: kafka refused the bridge: ")
			require.Contains(t, line, c.problem)
			require.Contains(t, line, "topic=refused."+c.name)
			require.Equal(t, uint64(0), br.Archived()["GENEVA_SHARE"])
			requireNoTopic(t, broker.Addr, settings.ObjectsTopic.Name)
			requireNoTopic(t, broker.Addr, settings.AuditTopic.Name)
		})
	}
}

// logLine is the first log line holding want.
func logLine(logs, want string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, want) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// requireNoTopic asks the PLAINTEXT listener that topic does not exist.
func requireNoTopic(t *testing.T, addr, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	meta, err := (&kafka.Client{Addr: kafka.TCP(addr)}).Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	require.NoError(t, err)
	require.Len(t, meta.Topics, 1)
	require.ErrorIs(t, meta.Topics[0].Error, kafka.UnknownTopicOrPartition, "topic %s exists", topic)
}
