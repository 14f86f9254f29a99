package audit_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

// BenchmarkAppend measures appends through one shared Log from many
// goroutines, as the hub's workers do (go test -bench Append -benchtime 2000x).
func BenchmarkAppend(b *testing.B) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: b.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(b, err)
	s.Start()
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	require.True(b, s.ReadyForConnections(5e9))
	nc, err := nats.Connect(s.ClientURL())
	require.NoError(b, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(b, err)
	l, err := audit.Open(b.Context(), js, testStream, testSubject)
	require.NoError(b, err)

	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			if _, err := l.Append(b.Context(), decision(i), fmt.Sprintf("m%d", i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	res, err := audit.Verify(b.Context(), js, testStream)
	require.NoError(b, err)
	require.Equal(b, uint64(n.Load()), res.Records)
}
