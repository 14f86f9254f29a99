// Package daemontest runs a connector daemon in a test, for the daemon's
// own tests and for tests that put a connector in front of a hub.
package daemontest

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
)

// Run loads the connector config at path (kinds from connectors.Default:
// import connectors/all) and runs that connector until the test ends,
// when it must stop within 15 s without an error. With CONNECTOR_LOG set
// it logs at debug level to stderr, tagged with name.
func Run(t *testing.T, path, name string) *daemon.Connector {
	t.Helper()
	c, _ := Start(t, path, name)
	return c
}

// Start is Run with a stop that the test may call before it ends (a
// restart): stop waits up to 15 s for the connector to end without an error.
func Start(t *testing.T, path, name string) (*daemon.Connector, func()) {
	t.Helper()
	c, err := daemon.LoadConfig(path, connectors.Default)
	require.NoError(t, err)
	var log *slog.Logger
	if os.Getenv("CONNECTOR_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", name)
	}
	conn, err := daemon.New(c, connectors.Default, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- conn.Run(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Error("connector did not stop within 15s")
		}
	})
	t.Cleanup(stop)
	return conn, stop
}
