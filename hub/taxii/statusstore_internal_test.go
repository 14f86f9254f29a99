package taxii

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// A status record the bucket refuses, or that no stream takes, is an
// error for the POST waiting for it, never a silent success.
func TestStatusRecordFailuresReachTheWaiter(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	srv.Start()
	defer srv.Shutdown()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	nc, err := nats.Connect(srv.ClientURL()) // hubtest would import this package
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "STATUS", MaxValueSize: 200})
	require.NoError(t, err)
	ss := &statusStore{kv: kv, nc: nc, log: slog.New(slog.DiscardHandler)}
	require.NoError(t, ss.followAcks(ctx))

	small := &status{id: newUUID(), member: "bank-one", requested: time.Now().UTC(), objects: []postedObject{{ID: "indicator--1"}}}
	require.NoError(t, ss.await(small.id, ss.record(small, true)))
	e, err := kv.Get(ctx, small.id)
	require.NoError(t, err)
	require.Contains(t, string(e.Value()), `"indicator--1"`)

	big := &status{id: newUUID(), member: "bank-one", requested: time.Now().UTC(), objects: make([]postedObject, 20)}
	require.ErrorContains(t, ss.await(big.id, ss.record(big, true)), "refused")

	require.NoError(t, js.DeleteKeyValue(ctx, "STATUS"))
	require.ErrorContains(t, ss.await(small.id, ss.record(small, true)), "no PubAck")
	require.Empty(t, ss.waiting, "a waiter was left behind")
}
