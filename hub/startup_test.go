package hub_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/policy"
)

// TestNATSPortTakenFailsAtOnce: with the NATS port taken, the hub stops at
// once with one error naming the address and the way out, instead of
// waiting out its 30 s readiness timeout (nats-server logs the bind error
// and never becomes ready).
func TestNATSPortTakenFailsAtOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	h, err := hub.New(hub.Config{DataDir: t.TempDir(), NATSListen: l.Addr().String(), HTTPListen: "127.0.0.1:0", MoU: policy.DemoMoU()})
	require.NoError(t, err)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- h.Run(ctx) }()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "nats_listen "+l.Addr().String())
		require.ErrorContains(t, err, "address already in use")
		require.ErrorContains(t, err, "--nats-listen")
	case <-time.After(10 * time.Second): // the readiness timeout is 30 s
		t.Fatal("the hub still waits 10 s after its NATS port was found taken")
	}
}
