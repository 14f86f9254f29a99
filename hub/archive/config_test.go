package archive_test

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
)

// Bad settings are refused at New, each with a message naming the setting.
func TestNewRefusesBadConfig(t *testing.T) {
	nh := startNATS(t)
	for _, tc := range []struct {
		name string
		cfg  archive.Config
		want string
	}{
		{"no brokers", archive.Config{}, "brokers"},
		{"same topics", archive.Config{Brokers: []string{"k:9092"},
			ObjectsTopic: archive.TopicConfig{Name: "x"}, AuditTopic: archive.TopicConfig{Name: "x"}}, "both \"x\""},
		{"batch too small for NATS", archive.Config{Brokers: []string{"k:9092"}, BatchBytes: 64 << 10},
			"cannot hold the largest NATS message (max_payload 1048576"},
		{"unknown sasl", archive.Config{Brokers: []string{"k:9092"}, SASL: archive.SASLConfig{Mechanism: "GSSAPI"}}, "sasl mechanism \"GSSAPI\""},
		{"unknown compression", archive.Config{Brokers: []string{"k:9092"}, Compression: "brotli"}, "compression \"brotli\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := archive.New(tc.cfg, nh.js, nil)
			require.ErrorContains(t, err, tc.want)
		})
	}
	var js jetstream.JetStream = nh.js
	_, err := archive.New(archive.Config{Brokers: []string{"k:9092"}, SASL: archive.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "u", Password: "p"}}, js, nil)
	require.NoError(t, err)
}
