package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/internal/httpserve"
	"github.com/genevahub/geneva/policy"
)

// Connector is the running daemon: sources → pre-flight → spool → hub,
// hub inbox → sinks, receipts → sources.
type Connector struct {
	cfg       *Config
	log       *slog.Logger
	member    string
	instance  string // in every msg id: which receipts are this connector's
	preflight *Preflight
	spool     *Spool
	metrics   *Metrics
	sources   []namedSource
	sinks     []*sinkWorker

	hub *member.Client // every exchange with the hub (hub/member)

	httpAddr    chan string   // the bound /healthz address, once
	mouMaxBytes int           // the MoU's rules.limits.max_bytes
	mouState    hubMoU        // the hub's MoU pre-flight follows (hubmou.go)
	mouStale    chan struct{} // (re)connected, or a receipt was decided under another MoU: ask now
	stuck       stuckQueue
	settled     *settledShares // the shares the sinks settled lately (settled.go)
}

type namedSource struct {
	name string
	src  connectors.Source
	log  *slog.Logger
}

// New builds a connector from a loaded config: the MoU, the spool, every
// source and sink (no I/O yet besides opening the spool, and fetching the
// hub's MoU when neither its cache nor a mou: file is there).
func New(cfg *Config, reg *connectors.Registry, log *slog.Logger) (*Connector, error) {
	if log == nil {
		log = discardLogger()
	}
	member, pol, err := loadPolicy(cfg, true)
	if err != nil {
		return nil, err
	}
	mou := pol.mou
	spool, err := OpenSpool(cfg.Spool.Dir, cfg.Spool.MaxItems, cfg.Spool.MaxBytes)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(cfg.Spool.Dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	settled, err := openSettledShares(filepath.Join(cfg.Spool.Dir, "state", settledLog))
	if err != nil {
		return nil, err
	}
	c := &Connector{cfg: cfg, log: log.With("member", member), member: member, spool: spool, instance: Instance(member, abs),
		preflight: &Preflight{Engine: pol.engine, Member: member, Defaults: cfg.Defaults},
		metrics:   newMetrics(spool), httpAddr: make(chan string, 1), mouMaxBytes: mou.Rules.Limits.MaxBytes,
		mouStale: make(chan struct{}, 1), settled: settled}
	c.mouState.version, c.mouState.policyVersion, c.mouState.local = pol.version, pol.policyVersion, pol.local
	c.mouState.mou.Store(mou)
	if pol.hub {
		c.log.Info("pre-flight starts with the hub's MoU as last fetched", "version", pol.version, "policy_version", pol.policyVersion)
		c.warnLocalMoU()
	}
	closeAll := func() { c.closeConnectors(closedCtx()); settled.close() }
	for _, e := range cfg.Sources {
		spec, err := reg.Lookup(e.Kind)
		if err != nil {
			closeAll()
			return nil, err
		}
		l := c.log.With("source", e.Name, "kind", e.Kind)
		src, err := spec.NewSource(e.Options, c.deps(e.Name, mou, l))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("source %q: %w", e.Name, err)
		}
		c.sources = append(c.sources, namedSource{name: e.Name, src: src, log: l})
	}
	for _, e := range cfg.Sinks {
		spec, err := reg.Lookup(e.Kind)
		if err != nil {
			closeAll()
			return nil, err
		}
		reach, err := ParseReach(e.Reach)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("sink %q: reach: %w", e.Name, err)
		}
		l := c.log.With("sink", e.Name, "kind", e.Kind)
		snk, err := spec.NewSink(e.Options, c.deps(e.Name, mou, l))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("sink %q: %w", e.Name, err)
		}
		c.sinks = append(c.sinks, newSinkWorker(e.Name, snk, reach, e.NamedIndividuals, l, c.metrics, c.spool.Dir()))
	}
	return c, nil
}

func (c *Connector) deps(name string, mou *policy.MoU, l *slog.Logger) connectors.Deps {
	return connectors.Deps{Logger: l, Member: c.member, MoU: mou, CurrentMoU: c.mouState.mou.Load,
		StateDir: filepath.Join(c.spool.Dir(), "state", name), MaxBytes: c.SizeLimit}
}

// Member is the member id the connector speaks for.
func (c *Connector) Member() string { return c.member }

// HTTPAddr waits for the bound /healthz /metrics address.
func (c *Connector) HTTPAddr(ctx context.Context) (string, error) {
	select {
	case a := <-c.httpAddr:
		c.httpAddr <- a
		return a, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Run connects to the hub (retrying while it is away) and moves data until
// ctx ends; then it stops reading, lets in-flight work settle and closes
// every source and sink within 10 seconds.
func (c *Connector) Run(ctx context.Context) error {
	defer c.settled.close()
	if err := c.connect(ctx); err != nil {
		c.closeConnectors(closedCtx())
		return err
	}
	defer c.hub.Close()
	g, gctx := errgroup.WithContext(ctx)
	if c.cfg.HTTP.Listen != "" {
		ln, err := httpserve.Listen(c.cfg.HTTP.Listen, httpserve.Defaults)
		if err != nil {
			c.closeConnectors(closedCtx())
			return fmt.Errorf("http: %w", err)
		}
		c.httpAddr <- ln.Addr().String()
		srv := httpserve.Server(c.handler(), httpserve.Defaults)
		g.Go(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	for _, s := range c.sources {
		g.Go(func() error { c.readSource(gctx, s); return nil })
	}
	g.Go(func() error { c.followMoU(gctx); return nil })
	g.Go(func() error { c.forward(gctx); return nil })
	g.Go(func() error { c.receipts(gctx); return nil })
	if len(c.sinks) > 0 {
		for _, w := range c.sinks {
			g.Go(func() error { w.run(gctx); return nil })
		}
		g.Go(func() error { c.deliver(gctx); return nil })
	}
	c.log.Info("connector running", "sources", len(c.sources), "sinks", len(c.sinks), "hub", c.cfg.Hub.Server)
	<-gctx.Done()
	// Sources block in Read: closing them is what ends their loops.
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.closeSources(cctx)
	err := g.Wait()
	c.closeSinks(cctx)
	_ = c.hub.Drain()
	c.log.Info("connector stopped")
	return err
}

func (c *Connector) closeConnectors(ctx context.Context) {
	c.closeSources(ctx)
	c.closeSinks(ctx)
}

func (c *Connector) closeSources(ctx context.Context) {
	for _, s := range c.sources {
		if err := s.src.Close(ctx); err != nil {
			s.log.Warn("close source", "err", err)
		}
	}
}

func (c *Connector) closeSinks(ctx context.Context) {
	for _, w := range c.sinks {
		if err := w.sink.Close(ctx); err != nil {
			w.log.Warn("close sink", "err", err)
		}
	}
}

// connect dials the hub as the member; a hub that is away is retried in
// the background (DialOptions.Retry), so the connector starts anyway.
func (c *Connector) connect(ctx context.Context) error {
	o, err := hubDialOptions(c.cfg)
	if err != nil {
		return err
	}
	o.Retry = true
	o.OnError = func(err error) { c.log.Warn("hub", "err", err) }
	o.OnConnect = func() { c.metrics.HubConnected.Set(1); c.log.Info("hub connected"); c.askMoUSoon() }
	o.OnDisconnect = func(err error) {
		c.metrics.HubConnected.Set(0)
		c.log.Warn("hub disconnected", "err", err)
	}
	c.hub, err = member.DialWith(ctx, c.cfg.Hub.Server, c.cfg.Hub.Credentials, o)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.cfg.Hub.Server, err)
	}
	if c.hub.Connected() {
		c.metrics.HubConnected.Set(1)
		if limit := c.SizeLimit(); limit < int64(c.mouMaxBytes) {
			c.log.Info("the hub takes less than the MoU's max_bytes: larger items are refused at the source",
				"max_submission_bytes", limit, "hub_max_payload", c.hub.MaxPayload(), "mou_max_bytes", c.mouMaxBytes)
		}
	}
	return nil
}

// hubDialOptions are the options cfg's hub section gives a member client:
// its TLS and JetStream domain.
func hubDialOptions(cfg *Config) (member.DialOptions, error) {
	o := member.DialOptions{JetStreamDomain: cfg.Hub.JetStreamDomain}
	if t := cfg.Hub.TLS; t.CAFile != "" || t.CertFile != "" {
		tc, err := t.ClientConfig("hub.tls")
		if err != nil {
			return o, err
		}
		o.TLS = tc
	}
	return o, nil
}
