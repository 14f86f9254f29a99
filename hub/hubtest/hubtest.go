// Package hubtest starts real hubs for tests: an embedded NATS server with
// JetStream on a temporary directory and a random port, and member clients
// connected with their own credentials.
package hubtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/policy"
)

// Hub is a running hub under test.
type Hub struct {
	*hub.Hub
	Dir  string
	stop context.CancelFunc
	done chan error
}

// Option changes how StartHub configures the hub.
type Option func(*hub.Config)

// WithMoU runs the hub under mou instead of the demo MoU.
func WithMoU(mou *policy.MoU) Option { return func(c *hub.Config) { c.MoU = mou } }

// WithDir keeps the hub's data in dir (to restart on the same data).
func WithDir(dir string) Option { return func(c *hub.Config) { c.DataDir = dir } }

// WithConfig lets a test change anything else.
func WithConfig(f func(*hub.Config)) Option { return Option(f) }

// StartHub starts a hub with the demo MoU on a temporary directory and
// random ports, and stops it when the test ends.
func StartHub(t testing.TB, opts ...Option) *Hub {
	t.Helper()
	cfg := hub.Config{DataDir: t.TempDir(), NATSListen: "127.0.0.1:-1", HTTPListen: "127.0.0.1:0",
		MoU: policy.DemoMoU(), Workers: 4}
	if os.Getenv("HUBTEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := hub.New(cfg)
	if err != nil {
		t.Fatalf("hubtest: new hub: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	th := &Hub{Hub: h, Dir: cfg.DataDir, stop: cancel, done: make(chan error, 1)}
	go func() { th.done <- h.Run(ctx) }()
	select {
	case <-h.Ready():
	case err := <-th.done:
		cancel()
		t.Fatalf("hubtest: hub stopped while starting: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("hubtest: hub not ready after 30s")
	}
	t.Cleanup(func() { _ = th.Stop() })
	return th
}

// Stop shuts the hub down gracefully and returns what Run returned; later
// calls return nil.
func (h *Hub) Stop() error {
	h.stop()
	err, ok := <-h.done
	if !ok {
		return nil
	}
	close(h.done)
	return err
}

// Eventually retries f until it returns nil, failing the test with f's
// last error after timeout.
func Eventually(t testing.TB, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hubtest: not true after %v: %v", timeout, err)
		}
		time.Sleep(wait) // polling interval, not synchronisation
		wait = min(2*wait, 100*time.Millisecond)
	}
}

var errNothing = errors.New("nothing received")

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("hubtest: %s: %v", fmt.Sprintf(what, args...), err)
	}
}
