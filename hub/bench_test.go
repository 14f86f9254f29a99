package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

var receivers = []string{"le-alpha", "le-bravo", "isp-two", "cert-three"}

// BenchmarkHubGreenToAll: one-indicator GREEN bundles from bank-one,
// delivered through the policy to the four other demo members, each
// reading with its own credentials. Reports submissions/s.
func BenchmarkHubGreenToAll(b *testing.B) {
	mou := policy.DemoMoU()
	mou.Quotas = policy.UnthrottledQuota // b.N may exceed a member's burst
	h := hubtest.StartHub(b, hubtest.WithMoU(mou), hubtest.WithConfig(func(c *hub.Config) { c.HTTPListen = "off"; c.Workers = 32 }))
	bundle := benchBundle(b)
	var got atomic.Int64
	done := make(chan struct{})
	want := int64(4 * b.N)
	for _, id := range receivers {
		m := h.Member(b, id)
		c, err := m.JS.Consumer(context.Background(), wire.StreamShare, wire.InboxConsumer(id))
		require.NoError(b, err)
		cc, err := c.Consume(func(msg jetstream.Msg) {
			_ = msg.Ack()
			if got.Add(1) == want {
				close(done)
			}
		}, jetstream.PullMaxMessages(1000))
		require.NoError(b, err)
		b.Cleanup(cc.Stop)
	}
	bank := h.Member(b, "bank-one")
	b.ResetTimer()
	start, cpu0 := time.Now(), int64(cputime.Process())
	publishAll(b, bank.JS, b.N, func(i int) *nats.Msg { return wire.SubmitMsg("bank-one", bundle, wire.SubmitOptions{}) })
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d deliveries", got.Load(), want)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
	b.ReportMetric(float64(int64(cputime.Process())-cpu0)/float64(b.N)/1e3, "cpu-µs/submission")
}

// BenchmarkRawHop is the baseline: publish → stream → a worker that
// republishes the same bytes → stream → one consumer per receiving member
// (four filtered consumers on one stored copy, as the hub does).
func BenchmarkRawHop(b *testing.B) { rawHop(b, 1) }

// BenchmarkRawHopCopyPerMember is design (a) of DESIGN.md: the worker
// stores one copy per receiving member (an inbox stream each).
func BenchmarkRawHopCopyPerMember(b *testing.B) { rawHop(b, len(receivers)) }

func rawHop(b *testing.B, copies int) {
	s := hubtestNATS(b)
	nc, err := nats.Connect(s.ClientURL())
	require.NoError(b, err)
	b.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "IN", Subjects: []string{"in"}})
	require.NoError(b, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "OUT", Subjects: []string{"out.>"}})
	require.NoError(b, err)
	w, err := js.CreateOrUpdateConsumer(ctx, "IN", jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 10000})
	require.NoError(b, err)
	wc, err := w.Consume(func(msg jetstream.Msg) {
		var fs []jetstream.PubAckFuture
		for c := range copies {
			subject := "out.green.all.bank-one"
			if copies > 1 {
				subject = fmt.Sprintf("out.green.m.r%d.bank-one", c)
			}
			f, err := js.PublishAsync(subject, msg.Data())
			if err != nil {
				return
			}
			fs = append(fs, f)
		}
		go func() {
			for _, f := range fs {
				select {
				case <-f.Ok():
				case <-f.Err():
					return
				}
			}
			_ = msg.Ack()
		}()
	}, jetstream.PullMaxMessages(1000))
	require.NoError(b, err)
	b.Cleanup(wc.Stop)
	var got atomic.Int64
	done := make(chan struct{})
	want := int64(4 * b.N)
	for i := range receivers {
		c, err := js.CreateOrUpdateConsumer(ctx, "OUT", jetstream.ConsumerConfig{Durable: fmt.Sprint("r", i),
			FilterSubject: filterFor(copies, i), AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 10000})
		require.NoError(b, err)
		cc, err := c.Consume(func(msg jetstream.Msg) {
			_ = msg.Ack()
			if got.Add(1) == want {
				close(done)
			}
		}, jetstream.PullMaxMessages(1000))
		require.NoError(b, err)
		b.Cleanup(cc.Stop)
	}
	bundle := benchBundle(b)
	b.ResetTimer()
	start, cpu0 := time.Now(), int64(cputime.Process())
	publishAll(b, js, b.N, func(int) *nats.Msg { return &nats.Msg{Subject: "in", Data: bundle} })
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d deliveries", got.Load(), want)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
	b.ReportMetric(float64(int64(cputime.Process())-cpu0)/float64(b.N)/1e3, "cpu-µs/submission")
}

func hubtestNATS(b *testing.B) *server.Server {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: b.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(b, err)
	s.Start()
	require.True(b, s.ReadyForConnections(5*time.Second))
	b.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

func publishAll(b *testing.B, js jetstream.JetStream, n int, msg func(int) *nats.Msg) {
	for i := range n {
		if _, err := js.PublishMsgAsync(msg(i), jetstream.WithStallWait(time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(5 * time.Minute):
		b.Fatal("publishes not acknowledged")
	}
}

func benchBundle(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join(stixtest.SharedDir(b), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(b, err)
	return data
}

func filterFor(copies, i int) string {
	if copies > 1 {
		return fmt.Sprintf("out.*.m.r%d.*", i)
	}
	return "out.*.all.*"
}
