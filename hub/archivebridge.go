package hub

import (
	"context"
	"fmt"

	"github.com/genevahub/geneva/hub/archive"
)

// startArchive runs the Kafka archive bridge on the hub's own connection
// when brokers are configured. A bridge that fails (Kafka down) retries by
// itself; one that stops for good is logged and the hub keeps sharing:
// archiving is never a reason to stop serving members.
func (h *Hub) startArchive() (stop func(), err error) {
	if !h.cfg.Archive.Enabled() {
		return func() {}, nil
	}
	log := h.log.With("component", "archive")
	settings := h.cfg.Archive
	if settings.DeadLetterDir == "" {
		settings.DeadLetterDir = h.cfg.DataDir // <data dir>/deadletter/archive/
	}
	b, err := archive.NewFromSettings(settings, h.js, log)
	if err != nil {
		return nil, err
	}
	if err := h.metrics.Registry().Register(b.Collector()); err != nil {
		return nil, fmt.Errorf("archive metrics: %w", err)
	}
	// Its own context: it stops after the workers, so that the audit
	// records of the last decisions can still go out.
	ctx, cancel := context.WithCancel(h.handlers)
	done := make(chan struct{})
	h.spawn(func() {
		defer close(done)
		if err := b.Run(ctx); err != nil {
			log.Error("archive bridge stopped; the hub keeps sharing, nothing more is archived until a restart", "err", err)
		}
	})
	log.Info("archive bridge started", "brokers", h.cfg.Archive.Brokers)
	return func() {
		cancel()
		<-done
		h.metrics.Registry().Unregister(b.Collector())
	}, nil
}

// A standalone bridge's file and runner live with the bridge
// (archive/run.go); these are the names the hub has always exported.
type ArchiveConfig = archive.StandaloneConfig

// LoadArchiveConfig is archive.LoadStandaloneConfig.
func LoadArchiveConfig(path string) (ArchiveConfig, error) { return archive.LoadStandaloneConfig(path) }

// RunArchive is archive.RunStandalone.
func RunArchive(ctx context.Context, cfg ArchiveConfig) error { return archive.RunStandalone(ctx, cfg) }
