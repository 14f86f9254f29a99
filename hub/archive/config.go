// Package archive copies what the hub shared into Apache Kafka for long-term
// analytics: one record per shared STIX object of every archivable part of
// GENEVA_SHARE, and one record per GENEVA_AUDIT entry. TLP:RED content is
// never archived; its audit metadata is. Kafka has no idempotent producer in
// kafka-go, so the bridge gets an exactly-once effect from the tail of each
// partition (see tail.go).
package archive

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/genevahub/geneva/hub/wire"
)

// Config says where to read, where to write and how. The zero value of
// every field but Brokers means its default (see withDefaults); the stream,
// subject and header names default to hub/wire's values.
type Config struct {
	Brokers []string // Kafka bootstrap addresses, host:port

	ObjectsTopic TopicConfig // default "geneva.archive.objects", 6 partitions
	AuditTopic   TopicConfig // default "geneva.archive.audit", 1 partition (keeps the hash chain in order)

	// SkipTLPMarkings leaves out the well-known TLP 1.0/2.0 marking-definition
	// objects that every part repeats (their ids are constants). Default true;
	// set KeepTLPMarkings to archive them.
	KeepTLPMarkings bool

	// Writer settings. BatchBytes bounds one produce request per partition
	// and must hold the largest NATS message (MaxPayload) plus headers.
	BatchSize    int           // records per write call; default 1000
	BatchBytes   int           // default: NATS max_payload + 4 KiB (1 MiB + 4 KiB for NATS defaults)
	BatchTimeout time.Duration // default 2ms
	WriteTimeout time.Duration // one produce request; default 10s
	Compression  string        // "", "gzip", "snappy", "lz4", "zstd"

	// Backoff between retries after a Kafka error: MinBackoff doubling up to MaxBackoff.
	MinBackoff time.Duration // default 200ms
	MaxBackoff time.Duration // default 10s

	// RetentionCheck is how often the bridge compares its lag with the
	// streams' limits; RetentionWarn the fraction of a limit at which it
	// warns. Defaults 10s and 0.8.
	RetentionCheck time.Duration
	RetentionWarn  float64

	SASL SASLConfig
	TLS  *tls.Config // nil: plaintext

	Wire WireNames // defaults: hub/wire

	// DeadLetterDir keeps a part that cannot be turned into records (not a
	// STIX bundle, an object that is not JSON) as
	// <dir>/deadletter/archive/share-<seq>.json; the bridge goes on with
	// the next part either way. Empty: such a part is only logged.
	DeadLetterDir string
}

// TopicConfig describes one Kafka topic the bridge writes and, if missing,
// creates.
type TopicConfig struct {
	Name              string
	Partitions        int               // default 6 (objects) or 1 (audit)
	ReplicationFactor int               // default 3; 1 for a single-broker test
	RetentionMs       int64             // 0: -1, keep forever
	Extra             map[string]string // more topic configs, e.g. "min.insync.replicas": "2"
}

// SASLConfig selects SASL authentication: Mechanism "" (none), "PLAIN",
// "SCRAM-SHA-256" or "SCRAM-SHA-512".
type SASLConfig struct {
	Mechanism string
	Username  string
	Password  string
}

// WireNames are the hub's stream, subject and header names (hub/wire).
// They are copied, not imported, because package hub runs the bridge.
type WireNames struct {
	ShareStream, AuditStream                                 string
	AuditSubject                                             string
	Submission, Sender, TLP, Audience, Received, ArchiveFlag string
	// ArchiveObjects lists the positions in the part's "objects" that this
	// message archives; absent means all (an object sent to several members
	// in several messages is archived by one of them).
	ArchiveObjects string
}

// DefaultWireNames are the member protocol's names (hub/wire).
func DefaultWireNames() WireNames {
	return WireNames{
		ShareStream: wire.StreamShare, AuditStream: wire.StreamAudit, AuditSubject: wire.SubjectAudit,
		Submission: wire.HeaderSubmission, Sender: wire.HeaderSender, TLP: wire.HeaderTLP, Audience: wire.HeaderAudience,
		Received: wire.HeaderReceived, ArchiveFlag: wire.HeaderArchive, ArchiveObjects: wire.HeaderArchiveObjects,
	}
}

func (c Config) withDefaults() Config {
	def := func(t *TopicConfig, name string, parts int) {
		if t.Name == "" {
			t.Name = name
		}
		if t.Partitions == 0 {
			t.Partitions = parts
		}
		if t.ReplicationFactor == 0 {
			t.ReplicationFactor = 3
		}
		if t.RetentionMs == 0 {
			t.RetentionMs = -1
		}
	}
	def(&c.ObjectsTopic, "geneva.archive.objects", 6)
	def(&c.AuditTopic, "geneva.archive.audit", 1)
	setInt(&c.BatchSize, 1000)
	setDur(&c.BatchTimeout, 2*time.Millisecond)
	setDur(&c.WriteTimeout, 10*time.Second)
	setDur(&c.MinBackoff, 200*time.Millisecond)
	setDur(&c.MaxBackoff, 10*time.Second)
	setDur(&c.RetentionCheck, 10*time.Second)
	if c.RetentionWarn == 0 {
		c.RetentionWarn = 0.8
	}
	if c.Wire == (WireNames{}) {
		c.Wire = DefaultWireNames()
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("archive: brokers: at least one Kafka address is required"))
	}
	if c.ObjectsTopic.Name == c.AuditTopic.Name {
		errs = append(errs, fmt.Errorf("archive: objects and audit topics are both %q", c.ObjectsTopic.Name))
	}
	for _, t := range []TopicConfig{c.ObjectsTopic, c.AuditTopic} {
		if t.Partitions < 1 || t.ReplicationFactor < 1 {
			errs = append(errs, fmt.Errorf("archive: topic %s: partitions and replication factor must be at least 1", t.Name))
		}
	}
	if c.BatchSize < 1 || (c.BatchBytes != 0 && c.BatchBytes < 1024) {
		errs = append(errs, fmt.Errorf("archive: batch size %d / batch bytes %d too small", c.BatchSize, c.BatchBytes))
	}
	if c.RetentionWarn <= 0 || c.RetentionWarn >= 1 {
		errs = append(errs, fmt.Errorf("archive: retention warn fraction %v must lie between 0 and 1", c.RetentionWarn))
	}
	if _, err := compressionCodec(c.Compression); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.SASL.mechanism(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setDur(p *time.Duration, v time.Duration) {
	if *p == 0 {
		*p = v
	}
}
