package archive_test

import (
	"context"
	"testing"
	"time"

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
