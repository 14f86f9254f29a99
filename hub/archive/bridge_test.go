package archive_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

func testConfig(b *kafkatest.Broker, name string) archive.Config {
	return archive.Config{
		Brokers:        []string{b.Addr},
		ObjectsTopic:   archive.TopicConfig{Name: name + ".objects", Partitions: 4, ReplicationFactor: 1},
		AuditTopic:     archive.TopicConfig{Name: name + ".audit", ReplicationFactor: 1},
		MinBackoff:     50 * time.Millisecond,
		MaxBackoff:     time.Second,
		RetentionCheck: 200 * time.Millisecond,
	}
}

// Every non-RED object of every part becomes one record with the right key,
// value and headers; RED parts and TLP marking definitions are left out;
// every audit entry is copied byte for byte. kcat reads it back.
func TestBridgeArchivesPartsAndAudit(t *testing.T) {
	broker := kafkatest.Shared(t)
	t.Log("broker up")
	nh := startNATS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := newPublished()
	for n := range 40 {
		pub.publishPart(ctx, t, nh.js, "basic", n, 1+n%4)
		pub.publishAudit(ctx, t, nh.js, "basic", n)
	}
	cfg := testConfig(broker, "basic")
	br, err := archive.New(cfg, nh.js, testLogger(t))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	waitArchived(t, br.Archived, nh.js, 60*time.Second)

	// More parts while it runs.
	for n := 40; n < 60; n++ {
		pub.publishPart(ctx, t, nh.js, "basic", n, 3)
		pub.publishAudit(ctx, t, nh.js, "basic", n)
	}
	waitArchived(t, br.Archived, nh.js, 60*time.Second)
	pub.checkObjects(t, broker.Addr, cfg.ObjectsTopic.Name)
	pub.checkAudit(t, broker.Addr, cfg.AuditTopic.Name)
	require.NotEmpty(t, pub.red, "the test published no RED part")

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(br.Collector()))
	require.Equal(t, float64(len(pub.objects)), metricValue(t, reg, "geneva_archive_records_total", cfg.ObjectsTopic.Name))
	require.Equal(t, 0.0, metricValue(t, reg, "geneva_archive_lag_messages", "GENEVA_SHARE"))

	cancel()
	require.NoError(t, <-done)

	// A second bridge on the same topics finds everything there and writes nothing.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	br2, err := archive.New(cfg, nh.js, testLogger(t))
	require.NoError(t, err)
	go func() { done <- br2.Run(ctx2) }()
	waitArchived(t, br2.Archived, nh.js, 60*time.Second)
	cancel2()
	require.NoError(t, <-done)
	pub.checkObjects(t, broker.Addr, cfg.ObjectsTopic.Name)
	pub.checkAudit(t, broker.Addr, cfg.AuditTopic.Name)
}

// metricValue is the value of the series name whose one label is label.
func metricValue(t testing.TB, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no series %s{%s}", name, label)
	return 0
}

// With Kafka unreachable, the bridge warns once the share stream nears its
// retention limit, before anything unarchived could be dropped.
func TestBridgeWarnsBeforeRetentionDrops(t *testing.T) {
	nh := startNATS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := nh.js.UpdateStream(ctx, jetstream.StreamConfig{Name: "GENEVA_SHARE", Subjects: []string{"geneva.share.>"}, MaxMsgs: 50})
	require.NoError(t, err)
	logs := &syncBuffer{}
	cfg := archive.Config{Brokers: []string{"127.0.0.1:1"}, RetentionCheck: 50 * time.Millisecond,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	br, err := archive.New(cfg, nh.js, slog.New(slog.NewTextHandler(logs, nil)))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	pub := newPublished()
	for n := range 30 {
		pub.publishPart(ctx, t, nh.js, "retention", n, 1)
	}
	time.Sleep(300 * time.Millisecond)
	require.NotContains(t, logs.String(), "near its retention limit", "warned at 30 of 50 messages")
	for n := 30; n < 42; n++ {
		pub.publishPart(ctx, t, nh.js, "retention", n, 1)
	}
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "near its retention limit") },
		5*time.Second, 50*time.Millisecond, "no retention warning at 42 of 50 messages; logs:\n%s", logs.String())
	require.Contains(t, logs.String(), "kafka write failed")
	cancel()
	require.NoError(t, <-done)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Catching up on a backlog, the bridge sends full write calls only (the
// last may be partial): a partial call would cost a round trip for
// nothing. Each call carries one batch-start value, so the records per
// value are the call sizes. A write the broker fails (a new topic's
// partition without its leader yet, seen under load) ends its call
// early and the bridge resumes from the topic's tail: one partial call
// per logged failure is allowed, none without.
func TestBacklogIsWrittenInFullCalls(t *testing.T) {
	broker := kafkatest.Shared(t)
	nh := startNATS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := newPublished()
	for n := range 2000 {
		pub.publishPart(ctx, t, nh.js, "backlog", n, 1+n%3)
	}
	cfg := testConfig(broker, "backlog")
	cfg.BatchSize = 1000 // the default
	logs := &syncBuffer{}
	br, err := archive.New(cfg, nh.js, slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{t}, logs), nil)))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	waitArchived(t, br.Archived, nh.js, 60*time.Second)
	cancel()
	require.NoError(t, <-done)
	pub.checkObjects(t, broker.Addr, cfg.ObjectsTopic.Name)
	failed := strings.Count(logs.String(), "kafka write failed")

	calls := map[int]int{} // batch start → records
	for _, r := range kafkatest.KcatConsume(t, broker.Addr, cfg.ObjectsTopic.Name) {
		start, err := strconv.Atoi(r.Headers[archive.HeaderBatchStart])
		require.NoError(t, err)
		calls[start]++
	}
	starts := slices.Sorted(maps.Keys(calls))
	var partial []int
	for _, start := range starts[:len(starts)-1] {
		if calls[start] != cfg.BatchSize {
			partial = append(partial, start)
		}
	}
	require.LessOrEqual(t, len(partial), failed, "calls starting at seqs %v are partial with %d failed writes (calls: %v)", partial, failed, calls)
	require.LessOrEqual(t, len(starts), (len(pub.objects)+cfg.BatchSize-1)/cfg.BatchSize+failed, "calls: %v", calls)
}
