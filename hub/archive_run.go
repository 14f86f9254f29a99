package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/internal/httpserve"
)

func newBridge(s archive.Settings, js jetstream.JetStream, log *slog.Logger) (*archive.Bridge, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	return archive.New(cfg, js, log)
}

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
	b, err := newBridge(settings, h.js, log)
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

// ArchiveConfig is the file of a standalone archive bridge
// (geneva-hub archive --config FILE): it reads the hub's streams over NATS
// as the hub operator.
type ArchiveConfig struct {
	HubConnection `yaml:",inline"`
	HTTPListen    string           `yaml:"http_listen"` // optional host:port for /healthz and /metrics
	Archive       archive.Settings `yaml:"archive"`

	Logger *slog.Logger `yaml:"-"` // default: discard
	// Warnings: see decide.WorkerConfig.Warnings.
	Warnings []string `yaml:"-"`
}

func (c *ArchiveConfig) readOldSpellings(d *configfile.Decoder) {
	c.MoveCAFile(d, &c.TLS.CAFile)
	c.Archive.ReadOldSpellings(d, "archive")
}

// Validate reports every problem at once.
func (c ArchiveConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.Check(bad, "the bridge reads every share")
	if c.HTTPListen != "" {
		if _, _, err := hostPort(c.HTTPListen); err != nil {
			bad("http_listen", "%v", err)
		}
	}
	for _, e := range c.Archive.Check() {
		bad("archive."+e.Field, "%s", e.Problem)
	}
	return errors.Join(errs...)
}

// LoadArchiveConfig reads a standalone bridge's file and reports every
// problem at once, as "file:line: field: problem"; with an error, only
// Warnings is set.
func LoadArchiveConfig(path string) (ArchiveConfig, error) {
	var c ArchiveConfig
	warnings, err := configfile.Load(path, &c, c.readOldSpellings, func() error { return c.Validate() })
	if err != nil {
		return ArchiveConfig{Warnings: warnings}, err
	}
	c.Warnings = warnings
	return c, nil
}

// RunArchive runs the archive bridge alone until ctx ends: it connects to
// the hub's NATS as the operator, serves /healthz (200 while connected to
// NATS) and /metrics on HTTPListen if set, and copies to Kafka.
func RunArchive(ctx context.Context, cfg ArchiveConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	nc, js, err := cfg.Dial("geneva-archive", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := js.Stream(ctx, wire.StreamShare); err != nil {
		return fmt.Errorf("nats_url %s: stream %s: %w (is this the hub's NATS, and are the creds its operator's?)", cfg.NATSURL, wire.StreamShare, err)
	}
	b, err := newBridge(cfg.Archive, js, log)
	if err != nil {
		return err
	}
	addr, stopHTTP, err := serveArchiveHTTP(cfg.HTTPListen, nc, b, log)
	if err != nil {
		return err
	}
	defer stopHTTP()
	log.Info("archive bridge running", "nats", nc.ConnectedUrlRedacted(), "brokers", cfg.Archive.Brokers, "http", addr)
	err = b.Run(ctx)
	log.Info("archive bridge stopped")
	return err
}

// serveArchiveHTTP serves /healthz and /metrics; no address, no server.
// Kafka's health is not in /healthz (a restart does not fix Kafka): alert
// on geneva_archive_lag_messages and geneva_archive_write_errors_total.
func serveArchiveHTTP(listen string, nc *nats.Conn, b *archive.Bridge, log *slog.Logger) (string, func(), error) {
	if listen == "" {
		return "", func() {}, nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), b.Collector())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !nc.IsConnected() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not connected to NATS (%s)\n", nc.Status())
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return httpserve.Serve(listen, srv, log)
}
