package report

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/genevahub/geneva/hub/audit"
)

// Default archive topics (hub/archive's defaults).
const (
	DefaultObjectsTopic = "geneva.archive.objects"
	DefaultAuditTopic   = "geneva.archive.audit"
)

// Kafka header names written by hub/archive (docs/archive.md).
const (
	headerTLP      = "geneva-tlp"
	headerSender   = "geneva-sender"
	headerAudience = "geneva-audience"
	headerReceived = "geneva-received"
)

// KafkaSource reads the archive topics, every partition in parallel, from
// each partition's first offset to its end at the start of the scan.
type KafkaSource struct {
	Brokers      []string
	ObjectsTopic string        // default DefaultObjectsTopic
	AuditTopic   string        // default DefaultAuditTopic
	Dialer       *kafka.Dialer // TLS and SASL; nil: plaintext, no authentication
}

// Name is "kafka".
func (KafkaSource) Name() string { return "kafka" }

// Partition is one partition's offsets to read: [First, End).
type Partition struct {
	Topic      string
	ID         int
	First, End int64
}

// Partitions lists topic's partitions and their current offsets.
func (s KafkaSource) Partitions(ctx context.Context, topic string) ([]Partition, error) {
	if len(s.Brokers) == 0 {
		return nil, errors.New("kafka: no brokers")
	}
	d := s.dialer()
	conn, err := d.DialContext(ctx, "tcp", s.Brokers[0])
	if err != nil {
		return nil, fmt.Errorf("kafka %s: %w", s.Brokers[0], err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil {
		return nil, fmt.Errorf("kafka topic %s: %w", topic, err)
	}
	out := make([]Partition, 0, len(parts))
	for _, p := range parts {
		lc, err := d.DialLeader(ctx, "tcp", s.Brokers[0], topic, p.ID)
		if err != nil {
			return nil, fmt.Errorf("kafka topic %s partition %d: %w", topic, p.ID, err)
		}
		first, last, err := lc.ReadOffsets()
		lc.Close()
		if err != nil {
			return nil, fmt.Errorf("kafka topic %s partition %d: offsets: %w", topic, p.ID, err)
		}
		out = append(out, Partition{Topic: topic, ID: p.ID, First: first, End: last})
	}
	return out, nil
}

func (s KafkaSource) dialer() *kafka.Dialer {
	if s.Dialer != nil {
		return s.Dialer
	}
	return kafka.DefaultDialer
}

// Scan reads both topics.
func (s KafkaSource) Scan(ctx context.Context, newAgg func() *Aggregator, p *Progress) (*Aggregator, error) {
	objects, audits := s.ObjectsTopic, s.AuditTopic
	if objects == "" {
		objects = DefaultObjectsTopic
	}
	if audits == "" {
		audits = DefaultAuditTopic
	}
	var parts []Partition
	for _, topic := range []string{objects, audits} {
		ps, err := s.Partitions(ctx, topic)
		if err != nil {
			return nil, err
		}
		parts = append(parts, ps...)
	}
	for _, part := range parts {
		p.Total.Add(part.End - part.First)
	}
	var (
		mu     sync.Mutex
		merged = newAgg()
	)
	g, gctx := errgroup.WithContext(ctx)
	for _, part := range parts {
		if part.End <= part.First {
			continue
		}
		g.Go(func() error {
			agg := newAgg()
			err := s.readPartition(gctx, part, part.Topic == audits, agg, p)
			mu.Lock()
			merged.Merge(agg)
			mu.Unlock()
			return err
		})
	}
	return merged, g.Wait()
}

// readPartition folds one partition into agg, up to the end offset it had
// when the scan started.
func (s KafkaSource) readPartition(ctx context.Context, part Partition, isAudit bool, agg *Aggregator, p *Progress) error {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: s.Brokers, Topic: part.Topic, Partition: part.ID,
		Dialer: s.dialer(), MinBytes: 1, MaxBytes: 16 << 20,
		// Close waits for the fetch in flight, which waits up to MaxWait past the end.
		MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(part.First); err != nil {
		return err
	}
	var (
		op  ObjectParser
		obj Object
		rec audit.Record
	)
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("kafka topic %s partition %d: %w", part.Topic, part.ID, err)
		}
		p.Records.Add(1)
		p.Bytes.Add(int64(len(m.Value)))
		if isAudit {
			if auditOf(m.Value, &rec) != nil {
				agg.Unreadable(len(m.Value))
			} else {
				agg.AddAudit(&rec, len(m.Value))
			}
		} else if objectOfMessage(&op, &m, &obj) != nil {
			agg.Unreadable(len(m.Value))
		} else {
			agg.AddObject(&obj)
		}
		if m.Offset >= part.End-1 {
			return nil
		}
	}
}

func objectOfMessage(op *ObjectParser, m *kafka.Message, o *Object) error {
	var received string
	o.TLP, o.Sender, o.Audience = "", "", ""
	for _, h := range m.Headers {
		switch h.Key {
		case headerTLP:
			o.TLP = string(h.Value)
		case headerSender:
			o.Sender = string(h.Value)
		case headerAudience:
			o.Audience = string(h.Value)
		case headerReceived:
			received = string(h.Value)
		}
	}
	t, ok := parseReceived(received)
	if !ok {
		return fmt.Errorf("offset %d: header %s %q is not RFC 3339", m.Offset, headerReceived, received)
	}
	o.Received = t
	return op.Parse(m.Value, o)
}
