package archive

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

	"github.com/genevahub/geneva/hub/operator"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/internal/httpserve"
)

// NewFromSettings is the bridge a file's archive block (Settings) describes.
func NewFromSettings(s Settings, js jetstream.JetStream, log *slog.Logger) (*Bridge, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	return New(cfg, js, log)
}

// StandaloneConfig is the file of a standalone archive bridge
// (geneva-hub archive --config FILE): it reads the hub's streams over NATS
// as the hub operator.
type StandaloneConfig struct {
	operator.HubConnection `yaml:",inline"`
	HTTPListen             string   `yaml:"http_listen"` // optional host:port for /healthz and /metrics
	Archive                Settings `yaml:"archive"`

	Logger *slog.Logger `yaml:"-"` // default: discard
	// Warnings are what the file should change but may keep for now (old
	// spellings), each "file:line: field: ..."; the command logs them.
	Warnings []string `yaml:"-"`
}

func (c *StandaloneConfig) readOldSpellings(d *configfile.Decoder) {
	c.MoveCAFile(d, &c.TLS.CAFile)
	c.Archive.ReadOldSpellings(d, "archive")
}

// Validate reports every problem at once.
func (c StandaloneConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.Check(bad, "the bridge reads every share")
	if c.HTTPListen != "" {
		if _, _, err := configfile.HostPort(c.HTTPListen); err != nil {
			bad("http_listen", "%v", err)
		}
	}
	for _, e := range c.Archive.Check() {
		bad("archive."+e.Field, "%s", e.Problem)
	}
	return errors.Join(errs...)
}

// LoadStandaloneConfig reads a standalone bridge's file and reports every
// problem at once, as "file:line: field: problem"; with an error, only
// Warnings is set.
func LoadStandaloneConfig(path string) (StandaloneConfig, error) {
	var c StandaloneConfig
	warnings, err := configfile.Load(path, &c, c.readOldSpellings, func() error { return c.Validate() })
	if err != nil {
		return StandaloneConfig{Warnings: warnings}, err
	}
	c.Warnings = warnings
	return c, nil
}

// RunStandalone runs the archive bridge alone until ctx ends: it connects to
// the hub's NATS as the operator, serves /healthz (200 while connected to
// NATS) and /metrics on HTTPListen if set, and copies to Kafka.
func RunStandalone(ctx context.Context, cfg StandaloneConfig) error {
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
	b, err := NewFromSettings(cfg.Archive, js, log)
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
func serveArchiveHTTP(listen string, nc *nats.Conn, b *Bridge, log *slog.Logger) (string, func(), error) {
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
