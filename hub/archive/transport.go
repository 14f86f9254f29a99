package archive

import (
	"fmt"
	"strings"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

func (s SASLConfig) mechanism() (sasl.Mechanism, error) {
	switch strings.ToUpper(s.Mechanism) {
	case "":
		return nil, nil
	case "PLAIN":
		return plain.Mechanism{Username: s.Username, Password: s.Password}, nil
	case "SCRAM-SHA-256":
		return scram.Mechanism(scram.SHA256, s.Username, s.Password)
	case "SCRAM-SHA-512":
		return scram.Mechanism(scram.SHA512, s.Username, s.Password)
	}
	return nil, fmt.Errorf("archive: sasl mechanism %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", s.Mechanism)
}

func compressionCodec(name string) (kafka.Compression, error) {
	switch strings.ToLower(name) {
	case "", "none":
		return 0, nil
	case "gzip":
		return kafka.Gzip, nil
	case "snappy":
		return kafka.Snappy, nil
	case "lz4":
		return kafka.Lz4, nil
	case "zstd":
		return kafka.Zstd, nil
	}
	return 0, fmt.Errorf("archive: compression %q: want none, gzip, snappy, lz4 or zstd", name)
}

// transport is a fresh kafka-go transport with the SASL and TLS settings.
// Each resume gets a new one: kafka-go transports cache cluster metadata,
// and a broker that restarted must be asked again.
func (c Config) transport() (*kafka.Transport, error) {
	mech, err := c.SASL.mechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Transport{SASL: mech, TLS: c.TLS, ClientID: "geneva-archive"}, nil
}
