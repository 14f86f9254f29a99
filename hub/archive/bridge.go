package archive

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Bridge copies GENEVA_SHARE objects and GENEVA_AUDIT records to Kafka.
type Bridge struct {
	cfg     Config
	js      jetstream.JetStream
	log     *slog.Logger
	metrics *metrics
	objects *pipeline
	audit   *pipeline
}

// New checks cfg and returns a bridge reading from js. It does not contact
// Kafka; Run does. A nil logger discards logs.
func New(cfg Config, js jetstream.JetStream, logger *slog.Logger) (*Bridge, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	maxPayload := int64(1 << 20) // NATS's default, when the connection does not say
	if nc := js.Conn(); nc != nil && nc.MaxPayload() > 0 {
		maxPayload = nc.MaxPayload()
	}
	if cfg.BatchBytes == 0 {
		cfg.BatchBytes = int(maxPayload) + recordAllowance
	}
	if need := int(maxPayload) + recordAllowance; cfg.BatchBytes < need {
		return nil, fmt.Errorf("archive: batch bytes %d cannot hold the largest NATS message (max_payload %d + %d for headers); set batch bytes to at least %d and the topics' max.message.bytes to at least %d",
			cfg.BatchBytes, maxPayload, recordAllowance, need, need+batchAllowance)
	}
	b := &Bridge{cfg: cfg, js: js, log: logger, metrics: newMetrics()}
	b.objects = &pipeline{cfg: cfg, js: js, log: logger, metrics: b.metrics,
		stream: cfg.Wire.ShareStream, topic: cfg.ObjectsTopic, build: cfg.shareRecords}
	b.audit = &pipeline{cfg: cfg, js: js, log: logger, metrics: b.metrics,
		stream: cfg.Wire.AuditStream, subject: cfg.Wire.AuditSubject, topic: cfg.AuditTopic, build: cfg.auditRecords}
	return b, nil
}

// Run copies until ctx ends, then returns nil. It returns an error only
// for a problem retrying cannot fix (a topic that cannot take the bridge's
// batches, a record of another producer at a partition's end).
func (b *Bridge) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, p := range []*pipeline{b.objects, b.audit} {
		g.Go(func() error { return p.run(ctx) })
		g.Go(func() error { b.watch(ctx, p); return nil })
	}
	return g.Wait()
}

// Collector exposes the bridge's metrics (lag, records, errors) for a
// Prometheus registry.
func (b *Bridge) Collector() prometheus.Collector { return b.metrics }

// Archived returns, per stream, the highest sequence whose records are all
// in Kafka.
func (b *Bridge) Archived() map[string]uint64 {
	return map[string]uint64{
		b.objects.stream: b.objects.archived.Load(),
		b.audit.stream:   b.audit.archived.Load(),
	}
}
