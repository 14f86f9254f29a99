package natscluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// Two test clusters on one machine stay apart: cluster a loses a node,
// its survivors keep dialling that node's route port, and cluster b (as
// another test process would) listens there next. Before each cluster had
// a name of its own, a's survivors joined b, servers of the same names
// (so the same RAFT ids) in both: b could not place a replicated stream
// ("no suitable peers") and reads got "JetStream system temporarily
// unavailable".
func TestClustersOnOneMachineStayApart(t *testing.T) {
	a, err := Start(t.TempDir(), 3, nil, 30*time.Second)
	require.NoError(t, err)
	t.Cleanup(a.Shutdown)
	freed := a.opts[1].Cluster.Port
	a.StopNode(1)

	clientPorts, err := freePorts(3)
	require.NoError(t, err)
	routePorts, err := freePorts(2)
	require.NoError(t, err)
	routePorts = []int{routePorts[0], freed, routePorts[1]} // b's n2 where a's n2 was
	b, err := startOn(t.TempDir(), clientPorts, routePorts, nodeSettings{}, 30*time.Second)
	require.NoError(t, err)
	t.Cleanup(b.Shutdown)

	// a's survivors dial the port about once a second: wait until b's n2
	// has heard from both, then nothing of a may be routed into b.
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(b.logs[1].String(), "does not match") < 2 && !routedElsewhere(b) {
		require.True(t, time.Now().Before(deadline), "a's survivors did not dial b's n2 within 30s; its log:\n%s", b.logs[1])
		time.Sleep(50 * time.Millisecond) // polling a log, with the bound above
	}
	require.False(t, routedElsewhere(b), "a server of another cluster is routed into b:\n%s", b.Report())

	nc, err := nats.Connect(b.URL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := t.Context()
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "B", Replicas: 3})
	require.NoError(t, err, "b places a stream on its 3 servers")
	_, err = js.Publish(ctx, "B", []byte("x"))
	require.NoError(t, err)
}

// routedElsewhere reports whether a running node of c has a route to a
// server that is not one of c's.
func routedElsewhere(c *Cluster) bool {
	ours := map[string]bool{}
	for _, s := range c.Nodes {
		ours[s.ID()] = true
	}
	for _, s := range c.Nodes {
		rz, err := s.Routez(&server.RoutezOptions{})
		if err != nil {
			panic(fmt.Sprintf("routez: %v", err))
		}
		for _, r := range rz.Routes {
			if !ours[r.RemoteID] {
				return true
			}
		}
	}
	return false
}
