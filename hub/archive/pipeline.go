package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/kafka-go"

	"github.com/genevahub/geneva/internal/deadletter"
)

// pipeline copies one JetStream stream to one Kafka topic.
type pipeline struct {
	cfg     Config
	js      jetstream.JetStream
	log     *slog.Logger
	metrics *metrics

	stream, subject string
	topic           TopicConfig
	build           func(stream string, seq uint64, h nats.Header, body []byte) ([]record, error)

	archived atomic.Uint64 // highest stream sequence whose records are all in Kafka
	ready    atomic.Bool   // the topic exists and its tail was read at least once
}

// message is a stream message turned into records by the reader goroutine.
type message struct {
	seq     uint64
	records []record
	more    bool // the stream held more messages for the reader after this one
}

// run copies until ctx ends. Kafka errors are retried with backoff; each
// retry starts a new session that resumes from the topic's tail.
func (p *pipeline) run(ctx context.Context) error {
	backoff := p.cfg.MinBackoff
	for {
		progressed, err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errForeignRecord) || errors.Is(err, errTopicMismatch) {
			return err
		}
		if progressed {
			backoff = p.cfg.MinBackoff
		}
		p.metrics.errors.WithLabelValues(p.topic.Name).Inc()
		if problem := accessProblem(err); problem != "" {
			p.log.Error("archive: kafka refused the bridge: "+problem, "topic", p.topic.Name, "retry_in", backoff, "err", err)
		} else {
			p.log.Warn("archive: kafka write failed; will resume from the topic's tail", "topic", p.topic.Name, "stream", p.stream, "retry_in", backoff, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, p.cfg.MaxBackoff)
	}
}

// session ensures the topic, reads its tail, and streams from the resume
// point until a write fails or ctx ends.
func (p *pipeline) session(ctx context.Context) (progressed bool, err error) {
	tr, err := p.cfg.transport()
	if err != nil {
		return false, err
	}
	defer tr.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(p.cfg.Brokers...), Transport: tr, Timeout: p.cfg.WriteTimeout}
	partitions, err := ensureTopic(ctx, client, p.topic, p.cfg.BatchBytes)
	if err != nil {
		return false, err
	}
	tl, err := readTail(ctx, client, p.topic.Name, partitions, p.cfg.BatchBytes)
	if err != nil {
		return false, err
	}
	start := max(tl.resumeSeq, 1)
	if tl.resumeSeq == 0 {
		p.archived.Store(0)
	} else if tl.high.seq > 0 {
		// Everything before the batch start is written everywhere.
		p.archived.Store(max(p.archived.Load(), tl.resumeSeq-1))
	}
	p.ready.Store(true)
	p.log.Info("archive: resuming", "stream", p.stream, "topic", p.topic.Name, "from_seq", start, "partitions", partitions)

	w := &kafka.Writer{
		Addr:         kafka.TCP(p.cfg.Brokers...),
		Transport:    tr,
		Balancer:     balancer,
		RequiredAcks: kafka.RequireAll,
		MaxAttempts:  1, // the bridge retries, after reading the tail
		BatchSize:    p.cfg.BatchSize,
		BatchBytes:   int64(p.cfg.BatchBytes),
		// Send each call at once: the batcher lingered for records already,
		// and kafka-go would hold every partition's share of a call (never
		// a full batch) for its batch timeout. The timer cannot split a
		// partition's share: it flushes under the lock that kafka-go holds
		// while adding the share.
		BatchTimeout: time.Nanosecond,
		WriteTimeout: p.cfg.WriteTimeout,
		ReadTimeout:  p.cfg.WriteTimeout,
	}
	w.Compression, _ = compressionCodec(p.cfg.Compression)
	defer w.Close()

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan message, 512)
	readErr := make(chan error, 1)
	go func() { readErr <- p.read(sctx, start, msgs) }()

	// One write call in flight at a time; the batcher gathers and cuts the
	// next meanwhile, or cuts what it has when asked.
	want, batches := make(chan struct{}), make(chan batch)
	bt := &batcher{p: p, tl: tl, msgs: msgs, spent: make(chan []kafka.Message, 2)}
	go bt.serve(sctx, want, batches)
	for {
		var b batch
		select {
		case <-ctx.Done():
			return progressed, nil
		case err := <-readErr:
			return progressed, err
		case b = <-batches: // cut while the last call was in flight
		case want <- struct{}{}:
			select {
			case <-ctx.Done():
				return progressed, nil
			case err := <-readErr:
				return progressed, err
			case b = <-batches:
			}
		}
		if len(b.msgs) > 0 {
			if err := w.WriteMessages(ctx, b.msgs...); err != nil {
				if ctx.Err() != nil {
					return progressed, nil
				}
				return progressed, fmt.Errorf("write %d records to %s: %w", len(b.msgs), p.topic.Name, err)
			}
			progressed = true
			p.metrics.records.WithLabelValues(p.topic.Name).Add(float64(len(b.msgs)))
			bt.reuse(b.msgs)
		}
		p.archived.Store(max(p.archived.Load(), b.archived))
	}
}

// read feeds the stream from seq start, in order, as records. An ordered
// consumer: Kafka holds the position (its tail), so no server-side consumer
// state has to agree with it, and a lost consumer is recreated by nats.go
// at the next sequence.
func (p *pipeline) read(ctx context.Context, start uint64, out chan<- message) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start}
	if p.subject != "" {
		cfg.FilterSubjects = []string{p.subject}
	}
	cons, err := p.js.OrderedConsumer(ctx, p.stream, cfg)
	if err != nil {
		return fmt.Errorf("consume %s: %w", p.stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return fmt.Errorf("consume %s: %w", p.stream, err)
	}
	defer it.Stop()
	go func() { <-ctx.Done(); it.Stop() }()
	expect := start
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("consume %s: %w", p.stream, err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("consume %s: %w", p.stream, err)
		}
		seq := meta.Sequence.Stream
		if seq > expect && p.subject == "" {
			p.lost(expect, seq)
		}
		expect = seq + 1
		records, err := p.build(p.stream, seq, msg.Headers(), msg.Data())
		if err != nil {
			p.deadLetter(seq, msg.Headers(), msg.Data(), err)
			records = nil
		}
		select {
		case out <- message{seq: seq, records: records, more: meta.NumPending > 0}:
		case <-ctx.Done():
			return nil
		}
	}
}

// deadLetter sets aside a message that cannot become records, so the
// bridge goes on with the next one. Trying again cannot help (the bytes do
// not change), so the first failure is the last attempt.
func (p *pipeline) deadLetter(seq uint64, h nats.Header, body []byte, why error) {
	p.metrics.skipped.WithLabelValues(p.stream).Inc()
	if p.cfg.DeadLetterDir == "" {
		p.log.Warn("archive: message skipped (no dead_letter_dir to keep it)", "stream", p.stream, "seq", seq, "err", why)
		return
	}
	m := deadletter.Message{Name: fmt.Sprintf("share-%d", seq), Body: body, Headers: map[string]string{"Nats-Stream": p.stream, "Nats-Sequence": fmt.Sprint(seq)}}
	if p.stream != p.cfg.Wire.ShareStream {
		m.Name = fmt.Sprintf("%s-%d", strings.ToLower(p.stream), seq)
	}
	for k := range h {
		m.Headers[k] = h.Get(k)
	}
	if err := deadletter.Put(p.cfg.DeadLetterDir, DeadLetterQueue, m, why.Error(), 1, time.Now()); err != nil {
		p.log.Error("archive: message skipped and not kept as a dead letter", "stream", p.stream, "seq", seq, "err", why, "dead_letter_err", err)
		return
	}
	p.log.Warn("archive: dead letter: message cannot be archived; moving on", "stream", p.stream, "seq", seq, "err", why,
		"file", deadletter.Letter{Queue: DeadLetterQueue, Name: m.Name}.Path(p.cfg.DeadLetterDir))
}

// DeadLetterQueue names the bridge's queue under Config.DeadLetterDir.
const DeadLetterQueue = "archive"

// lost reports messages that left the stream before the bridge archived
// them (retention or deletion). Only for unfiltered streams, where every
// sequence is ours.
func (p *pipeline) lost(from, to uint64) {
	p.metrics.lost.WithLabelValues(p.stream).Add(float64(to - from))
	p.log.Error("archive: messages left the stream before they were archived", "stream", p.stream, "first_missing", from, "count", to-from)
}
