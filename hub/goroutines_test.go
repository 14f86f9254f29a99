package hub_test

import (
	"context"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// A Run whose start fails once the services are up (its HTTP address is
// taken) returns only after every goroutine it started has ended, while
// the caller's context is still live: the hub owns its goroutines
// (hub/goroutines.go). On a NATS cluster the hub used to start its
// follower of the other hub processes before anything else, unowned, and
// a failed start left it waiting for ever.
func TestFailedStartLeavesNoGoroutine(t *testing.T) {
	for _, clustered := range []bool{false, true} {
		name := map[bool]string{false: "embedded server", true: "cluster"}[clustered]
		t.Run(name, func(t *testing.T) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer func() { _ = taken.Close() }()
			cfg := hub.Config{DataDir: t.TempDir(), NATSListen: "127.0.0.1:-1", HTTPListen: taken.Addr().String(),
				MoU: policy.DemoMoU(), Workers: 2}
			if clustered {
				dir := t.TempDir()
				cl := startNATSCluster(t, dir)
				cfg.NATSListen = ""
				cfg.HubConnection = hub.HubConnection{NATSURL: cl.URL(), Creds: wire.CredsPath(dir, wire.OperatorName)}
			}
			before := hubGoroutines()
			h, err := hub.New(cfg)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			require.ErrorContains(t, h.Run(ctx), "http_listen", "the start fails at the HTTP listener")
			for id, stack := range hubGoroutines() {
				if _, ok := before[id]; !ok {
					t.Errorf("goroutine %s of the hub still runs after Run returned:\n%s", id, stack)
				}
			}
		})
	}
}

var goroutineHeader = regexp.MustCompile(`^goroutine (\d+) `)

// hubGoroutines are the goroutines running code of package hub or
// hub/decide, by id.
func hubGoroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		m := goroutineHeader.FindStringSubmatch(g)
		if m != nil && (strings.Contains(g, "genevahub/geneva/hub.") || strings.Contains(g, "genevahub/geneva/hub/decide.")) {
			out[m[1]] = g
		}
	}
	return out
}
