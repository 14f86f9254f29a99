package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	headerSeq      = "nats-seq"
	headerIndex    = "geneva-object-index"
)

// KafkaSource reads the archive topics, every partition in parallel, from
// each partition's first offset (or the first record written at or after
// From) to its end at the start of the scan.
type KafkaSource struct {
	Brokers      []string
	ObjectsTopic string        // default DefaultObjectsTopic
	AuditTopic   string        // default DefaultAuditTopic
	Dialer       *kafka.Dialer // TLS and SASL; nil: plaintext, no authentication
	// From skips what was written before it. The bridge writes a record
	// after the hub received (or decided) what it holds, so no record
	// received at or after From was written before it; the aggregation
	// still filters on the receipt time.
	From time.Time
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
		if err == nil && !s.From.IsZero() && last > first {
			var at int64
			switch at, err = lc.ReadOffset(s.From); {
			case err != nil:
			case at < 0: // Kafka's answer when nothing was written since
				first = last
			case at > first:
				first = min(at, last)
			}
		}
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
// when the scan started. It fetches with the partition leader's
// connection directly (kafka.Conn batches): a kafka.Reader hands each
// message through a channel, which costs more than the report's own work.
func (s KafkaSource) readPartition(ctx context.Context, part Partition, isAudit bool, agg *Aggregator, p *Progress) error {
	where := fmt.Sprintf("kafka topic %s partition %d", part.Topic, part.ID)
	conn, err := s.dialer().DialLeader(ctx, "tcp", s.Brokers[0], part.Topic, part.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		if stop() {
			conn.Close()
		}
	}()
	if _, err := conn.Seek(part.First, kafka.SeekAbsolute); err != nil {
		return fmt.Errorf("%s: seek %d: %w", where, part.First, err)
	}
	var (
		op  ObjectParser
		obj Object
		rec audit.Record
	)
	var last archivePos // of the last record kept: the bridge writes a partition in increasing positions
	next := part.First
	for next < part.End {
		if err := conn.SetReadDeadline(time.Now().Add(readTimeout)); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 500 * time.Millisecond})
		read := false
		for next < part.End {
			m, err := batch.ReadMessage()
			if err != nil {
				break // the batch's end (io.EOF) or an error Close reports
			}
			next, read = m.Offset+1, true
			p.Records.Add(1)
			p.Bytes.Add(int64(len(m.Value)))
			if pos, ok := positionOf(&m); ok {
				if !last.less(pos) {
					agg.Duplicate(len(m.Value)) // a late copy (docs/archive.md, "a late produce request")
					continue
				}
				last = pos
			}
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
		}
		if err := batch.Close(); err != nil && !errors.Is(err, io.EOF) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s at offset %d: %w", where, next, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !read && next >= batch.HighWaterMark() {
			return nil // the end offset's records are gone (compaction, retention)
		}
	}
	return nil
}

// archivePos is a record's place in its stream: (nats-seq, object index),
// both from 1 and 0 up; the zero value is before every record.
type archivePos struct {
	seq   uint64
	index int
}

func (p archivePos) less(q archivePos) bool {
	return p.seq < q.seq || (p.seq == q.seq && p.index < q.index)
}

// positionOf reads a record's position headers; false when it has none
// (a record the bridge did not write is kept as it is).
func positionOf(m *kafka.Message) (archivePos, bool) {
	var pos archivePos
	var haveSeq, haveIndex bool
	for _, h := range m.Headers {
		switch h.Key {
		case headerSeq:
			seq, err := strconv.ParseUint(string(h.Value), 10, 64)
			pos.seq, haveSeq = seq, err == nil && seq > 0
		case headerIndex:
			index, err := strconv.Atoi(string(h.Value))
			pos.index, haveIndex = index, err == nil && index >= 0
		}
	}
	return pos, haveSeq && haveIndex
}

// readTimeout bounds one fetch; a broker that stops answering fails the
// scan instead of hanging it.
const readTimeout = 30 * time.Second

func objectOfMessage(op *ObjectParser, m *kafka.Message, o *Object) error {
	var received []byte
	o.TLP, o.Sender, o.Audience = "", "", ""
	for _, h := range m.Headers {
		switch h.Key {
		case headerTLP:
			o.TLP = op.intern(h.Value)
		case headerSender:
			o.Sender = op.intern(h.Value)
		case headerAudience:
			o.Audience = op.intern(h.Value)
		case headerReceived:
			received = h.Value
		}
	}
	t, ok := op.received(received)
	if !ok {
		return fmt.Errorf("offset %d: header %s %q is not RFC 3339", m.Offset, headerReceived, received)
	}
	o.Received = t
	return op.Parse(m.Value, o)
}
