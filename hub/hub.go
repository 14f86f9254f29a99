package hub

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/metrics"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Lock order: Hub.mu before prior.mu. Hub.mu guards keyMember.

// Hub is one running hub: the embedded NATS server, the provisioning, the
// policy workers and the hub's services.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	key    nkeys.KeyPair // the hub's own in-process identity
	id     string        // names this start in HeaderDecidedBy
	secret []byte        // keys submission ids (hides the sender of anonymous parts)
	prior  *decide.PriorIndex

	policy  decide.PolicyState // the MoU in force
	mouView memberMoU          // the member view of it (mouservice.go)
	scopes  scopeHistory       // every member set of the shared scopes (scopes.go)

	mu        sync.RWMutex
	keyMember map[string]string // NKey → member id, for violation metrics
	metrics   *metrics.Metrics

	base     *server.Options
	srv      *server.Server
	nc       *nats.Conn
	operator *jwtOperator      // the hub as NATS operator, with jwt_accounts (jwtserver.go)
	sysNC    *nats.Conn        // the system user's connection claims are pushed over, with jwt_accounts
	pushMu   sync.Mutex        // one push of account JWTs at a time (jwtserver.go)
	pushed   map[string]string // account key → claimsPrint of the JWT the servers confirmed, under pushMu
	js       jetstream.JetStream
	worker   *decide.Worker
	gate     *gate // the submission gate's quotas (gate.go)

	requests *requestTracker // law-enforcement requests (requesttrack.go)

	httpAddr string
	reload   chan reloadRequest
	stopped  chan struct{} // closed when Run stops taking reloads
	ready    chan struct{}

	// running owns every goroutine a Run starts (goroutines.go).
	running *goroutines

	// handlers is the context of the services' handlers, set by each Run
	// before the services start: it ends once the hub has stopped
	// (endHandlers, the last step of the stop path), so no handler
	// outlives its Run.
	handlers    context.Context
	endHandlers context.CancelFunc
}

// New validates cfg, loads the MoU and prepares the data directory; Run
// starts everything.
func New(cfg Config) (*Hub, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mou, err := loadMoU(cfg)
	if err != nil {
		return nil, err
	}
	if carried := int(cfg.MaxPayload) - 4096; mou.Rules.Limits.MaxBytes > carried {
		// One size budget: NATS refuses a submission over max_payload before
		// policy sees it, and connectors refuse it at the source.
		cfg.Logger.Warn("the MoU's rules.limits.max_bytes is above what NATS carries: the smaller figure is the limit",
			"mou_max_bytes", mou.Rules.Limits.MaxBytes, "max_payload", cfg.MaxPayload, "largest_submission", carried)
	}
	if cfg.Archive.Enabled() { // read its password and certificates now, not after the server started
		if _, err := cfg.Archive.Config(); err != nil {
			return nil, err
		}
	}
	engine, err := policy.NewEngine(mou)
	if err == nil {
		err = checkMemberIDs(mou)
	}
	if err != nil {
		return nil, fmt.Errorf("mou: %w", err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	key, err := newHubKey()
	if err != nil {
		return nil, fmt.Errorf("hub key: %w", err)
	}
	secret, err := loadSecret(filepath.Join(cfg.DataDir, "hub.secret"))
	if err != nil {
		return nil, err
	}
	h := &Hub{cfg: cfg, log: cfg.Logger, key: key, id: "hub-" + rand.Text()[:8], secret: secret,
		prior: decide.NewPriorIndex(), gate: newGate(), metrics: metrics.New(), reload: make(chan reloadRequest), stopped: make(chan struct{}), ready: make(chan struct{})}
	h.gate.spawn = h.spawn
	h.policy.Set(mou, engine)
	if h.base, err = h.baseOptions(); err != nil {
		return nil, err
	}
	return h, nil
}

func loadMoU(cfg Config) (*policy.MoU, error) {
	switch {
	case cfg.MoU != nil:
		return cfg.MoU, nil
	case cfg.MoUFile != "":
		return policy.LoadMoU(cfg.MoUFile)
	default:
		return policy.DemoMoU(), nil
	}
}

// loadSecret keeps a random key under the data dir, created once.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil && len(b) == 32:
		return b, nil
	case err == nil:
		// A new secret would change every submission id and turn redeliveries into duplicates.
		return nil, fmt.Errorf("hub secret %s: %d bytes, want 32 (restore it from a backup)", path, len(b))
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("hub secret: %w", err)
	}
	b = make([]byte, 32)
	_, _ = rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("hub secret: %w", err)
	}
	return b, nil
}

// Ready is closed once the hub serves members.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// ClientURL is the NATS URL members connect to (valid once Ready).
func (h *Hub) ClientURL() string {
	if h.cfg.clustered() {
		return h.cfg.NATSURL
	}
	return h.srv.ClientURL()
}

// DataDir is where the hub keeps its storage and creds.
func (h *Hub) DataDir() string { return h.cfg.DataDir }

// MoU is the MoU in force.
func (h *Hub) MoU() *policy.MoU { return h.policy.MoU() }

// followIntakes has the hub's own workers decide what members submit,
// unless worker nodes do it all.
func (h *Hub) followIntakes(ctx context.Context, mou *policy.MoU) error {
	if h.cfg.WorkerNodesOnly {
		return nil
	}
	return h.worker.Follow(ctx, mou)
}

// Run starts the server, provisions, serves until ctx is done, then shuts
// down gracefully: stop taking work, finish in-flight decisions, close the
// server.
func (h *Hub) Run(ctx context.Context) error {
	if h.cfg.clustered() {
		return h.runOnCluster(ctx)
	}
	if err := moveSharedAccountStore(h.cfg.DataDir, h.log); err != nil {
		return err
	}
	opts, err := h.withUsers(h.base, h.MoU())
	if err != nil {
		return err
	}
	if err := h.moveHubAccountStore(); err != nil {
		return err
	}
	if h.srv, err = server.NewServer(opts); err != nil {
		return fmt.Errorf("nats server: %w", err)
	}
	start := newStartWatch()
	h.srv.SetLoggerV2(slogAdapter{l: h.log.With("component", "nats"), violation: h.violation, fatal: start.report}, false, false, false)
	h.srv.Start()
	defer func() { h.srv.Shutdown(); h.srv.WaitForShutdown() }()
	if err := h.waitForServer(start, 30*time.Second); err != nil {
		return err
	}
	auth, err := h.hubAuth()
	if err != nil {
		return err
	}
	h.nc, err = nats.Connect("", nats.InProcessServer(h.srv), nats.Name("geneva-hub"), auth, nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("hub connection: %w", err)
	}
	defer h.nc.Close()
	if h.js, err = jetstream.New(h.nc); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	return h.runServices(ctx)
}

// runServices provisions and serves on h.nc until ctx is done, then shuts down
// gracefully: stop taking work, finish in-flight decisions.
func (h *Hub) runServices(ctx context.Context) (err error) {
	// ctx from here on also ends when a goroutine of the hub's fails.
	h.running, ctx = newGoroutines(ctx)
	defer h.running.stopTaking() // a start that failed before the stop path below
	if err := h.connectSystem(); err != nil {
		return err
	}
	defer h.closeSystem()
	if err := h.provision(ctx, h.policy.Engine()); err != nil {
		return err
	}
	if err := h.shareWithNodes(ctx, h.MoU()); err != nil {
		return err
	}
	stopPrior, err := h.followPrior(ctx)
	if err != nil {
		return err
	}
	defer stopPrior()
	// One stop path, for a failed start and for the shutdown alike: each
	// part registers its stop as it starts, and stopAll stops what started,
	// in this order: stop taking work (the loops on ctx, services,
	// requests, trimming), finish in-flight decisions (worker), flush the
	// archive, close HTTP, end what a handler may still be doing, and wait
	// for every goroutine the hub started (h.running).
	var stops struct{ services, requests, trim, worker, archive, http func() }
	h.handlers, h.endHandlers = context.WithCancel(context.WithoutCancel(ctx))
	stopAll := sync.OnceValue(func() error {
		for _, stop := range []func(){h.running.stopTaking, stops.services, stops.requests, stops.trim, stops.worker, stops.archive, stops.http, h.endHandlers} {
			if stop != nil {
				stop()
			}
		}
		return h.running.wait()
	})
	defer func() {
		if werr := stopAll(); err == nil {
			err = werr
		}
	}()
	if h.worker, err = decide.NewWorker(ctx, h.workerHost()); err != nil {
		return err
	}
	stops.worker = h.worker.Stop
	stops.trim = h.startTrimming(ctx)
	svc, err := h.startServices(ctx)
	if err != nil {
		return err
	}
	stops.services = svc.stop
	if stops.http, err = h.startHTTP(); err != nil {
		return err
	}
	if err := h.followIntakes(ctx, h.MoU()); err != nil {
		return err
	}
	if stops.archive, err = h.startArchive(); err != nil {
		return err
	}
	if stops.requests, err = h.startRequests(ctx); err != nil {
		return err
	}
	// The services' subscriptions reach the server asynchronously: a
	// round trip makes "ready" mean they answer (a member asking right
	// after got "no responders" in scripts/stress.sh).
	if err := h.nc.FlushTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("services: %w", err)
	}
	if h.cfg.clustered() {
		h.spawn(func() { h.followOtherHubs(ctx) })
	}
	h.banner()
	close(h.ready)

	watch := h.watchMoUFile(ctx)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case req := <-h.reload:
			req.reply <- h.applyReload(context.WithoutCancel(ctx), req.mou)
		case <-watch:
			if err := h.applyReload(context.WithoutCancel(ctx), nil); err != nil {
				h.log.Error("mou reload failed; keeping the MoU in force", "err", err)
			}
		}
	}
	close(h.stopped)
	h.log.Info("shutting down: finishing in-flight decisions")
	err = stopAll()
	_ = h.nc.Drain()
	h.log.Info("hub stopped")
	return err
}

// banner tells how to connect as each member.
func (h *Hub) banner() {
	h.log.Info("geneva hub ready", "nats", h.ClientURL(), "http", h.httpAddr, "data", h.cfg.DataDir,
		"partnership", h.MoU().Partnership.Name, "policy_version", h.MoU().Partnership.Version)
	for _, m := range h.MoU().Members {
		state := "active"
		if m.Suspended {
			state = "suspended"
		}
		h.log.Info("member", "id", m.ID, "state", state, "creds", h.CredsPath(m.ID),
			"try", fmt.Sprintf("geneva --server %s --creds %s subscribe", h.ClientURL(), h.CredsPath(m.ID)))
	}
	h.log.Info("operator", "creds", h.CredsPath(wire.OperatorName))
}
