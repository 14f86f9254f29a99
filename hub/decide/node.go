package decide

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/metrics"
	"github.com/genevahub/geneva/hub/operator"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/internal/httpserve"
	"github.com/genevahub/geneva/policy"
)

// DefaultWorkers is how many decisions a process makes at once unless
// its file says (workers).
const DefaultWorkers = 64

// WorkerConfig is the file of a worker node (geneva-hub worker --config
// FILE): policy workers on another machine that share the hub's intake
// consumers, so decisions scale out beyond one process. The node takes its
// MoU and submission-id key from the hub (BucketHub), so it has no MoU file.
type WorkerConfig struct {
	operator.HubConnection `yaml:",inline"`
	HTTPListen             string `yaml:"http_listen"` // optional host:port for /healthz, /readyz and /metrics
	Workers                int    `yaml:"workers"`     // concurrent decisions; default DefaultWorkers

	Logger *slog.Logger `yaml:"-"` // default: discard
	// Warnings are what the file should change but may keep for now (old
	// spellings), each "file:line: field: ..."; the command logs them.
	Warnings []string `yaml:"-"`
}

func (c *WorkerConfig) readOldSpellings(d *configfile.Decoder) { c.MoveCAFile(d, &c.TLS.CAFile) }

// Validate reports every problem at once.
func (c WorkerConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.Check(bad, "a worker node reads every submission")
	if c.HTTPListen != "" {
		if _, _, err := configfile.HostPort(c.HTTPListen); err != nil {
			bad("http_listen", "%v", err)
		}
	}
	if c.Workers < 0 || c.Workers > 1024 {
		bad("workers", "%d is outside 1..1024", c.Workers)
	}
	return errors.Join(errs...)
}

// LoadWorkerConfig reads a worker node's file and reports every problem at
// once, as "file:line: field: problem"; with an error, only Warnings is set.
func LoadWorkerConfig(path string) (WorkerConfig, error) {
	var c WorkerConfig
	warnings, err := configfile.Load(path, &c, c.readOldSpellings, func() error { return c.Validate() })
	if err != nil {
		return WorkerConfig{Warnings: warnings}, err
	}
	c.Warnings = warnings
	return c, nil
}

// RunWorkers runs a worker node until ctx ends: it connects to the hub's
// NATS as the operator, takes the MoU in force from the hub and follows
// its changes, decides submissions on the hub's shared intake consumers
// exactly as the hub's own workers do (same submission ids, same
// deterministic output ids, ack last), and on return finishes the
// decisions in flight.
func RunWorkers(ctx context.Context, cfg WorkerConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	id := "node-" + rand.Text()[:8]
	nc, js, err := cfg.Dial("geneva-worker:"+id, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	pol, secret, err := OpenHubPolicy(ctx, js)
	if err != nil {
		return fmt.Errorf("nats_url %s: %w", cfg.NATSURL, err)
	}
	prior := NewPriorIndex()
	stopPrior, err := prior.Follow(ctx, js, id, 0, log)
	if err != nil {
		return err
	}
	defer stopPrior()
	deregister, err := RegisterNode(ctx, pol.kv, js, id)
	if err != nil {
		return err
	}
	defer deregister()
	m := metrics.New()
	w, err := NewWorker(ctx, Host{ID: id, JS: js, Log: log, Secret: secret, Prior: prior, Metrics: m,
		Workers: cfg.Workers, MoU: pol.state.MoU, Engine: pol.state.Engine})
	if err != nil {
		return err
	}
	defer w.Stop() // stop taking work, then finish the decisions in flight
	// A stop asked for during the start is a clean stop, not an error.
	stopping := func(err error) error {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched, err := pol.Watch(watchCtx, log, func(mou *policy.MoU) {
		if err := w.Follow(context.WithoutCancel(ctx), mou); err != nil {
			log.Error("following the intakes of the new MoU", "err", err)
		}
		log.Info("mou applied", "policy_version", mou.Partnership.Version, "members", len(mou.Members))
	})
	if err != nil {
		stopWatch()
		return stopping(err)
	}
	defer func() { stopWatch(); <-watched }() // before the workers stop: no MoU change is followed after
	if err := w.Follow(ctx, pol.state.MoU()); err != nil {
		return stopping(err)
	}
	addr, stopHTTP, err := serveNodeHTTP(cfg.HTTPListen, nc, m, log)
	if err != nil {
		return err
	}
	defer stopHTTP()
	log.Info("worker node ready", "id", id, "nats", nc.ConnectedUrlRedacted(), "workers", cfg.Workers, "http", addr,
		"policy_version", pol.state.MoU().Partnership.Version)
	<-ctx.Done()
	log.Info("worker node stopping: finishing in-flight decisions")
	return nil
}

// serveNodeHTTP serves /healthz (the process is up), /readyz (200 while
// connected to the hub's NATS) and /metrics; no address, no server.
func serveNodeHTTP(listen string, nc *nats.Conn, m *metrics.Metrics, log *slog.Logger) (string, func(), error) {
	if listen == "" {
		return "", func() {}, nil
	}
	srv := metrics.NewServer(listen, m, func() error {
		if !nc.IsConnected() {
			return fmt.Errorf("not connected to NATS (%s)", nc.Status())
		}
		return nil
	})
	return httpserve.Serve(listen, srv, log)
}
