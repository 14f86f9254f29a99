package archive_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// BenchmarkBridgeVsRawWriter archives a backlog of parts with the bridge,
// then writes the very same records (read back from the bridge's topic)
// with a bare kafka-go Writer to a twin topic on the same broker, with the
// same settings (acks=all, same batch size and timeout, sync calls of
// BatchSize records). It reports both rates and their ratio.
//
//	go test -run '^$' -bench BridgeVsRaw -benchtime 1x ./hub/archive/
func BenchmarkBridgeVsRawWriter(b *testing.B) {
	broker := kafkatest.Shared(b)
	const parts, partitions, batch = 8000, 4, 1000
	for i := 0; i < b.N; i++ {
		nh := startNATS(b)
		ctx, cancel := context.WithCancel(context.Background())
		pub := newPublished()
		run := fmt.Sprintf("bench%d-%d", i, time.Now().UnixNano())
		for n := range parts {
			pub.publishPart(ctx, b, nh.js, run, n, 1+(n*7)%8)
		}
		cfg := testConfig(broker, run)
		cfg.ObjectsTopic.Partitions = partitions
		cfg.BatchSize = batch
		createTopic(b, broker, cfg.ObjectsTopic.Name, partitions)
		createTopic(b, broker, cfg.AuditTopic.Name, 1)
		createTopic(b, broker, run+".raw", partitions)

		msgs := rawMessages(pub)
		// A fresh writer per run, as the bridge makes one per session.
		writeAll := func() time.Duration {
			w := &kafka.Writer{Addr: kafka.TCP(broker.Addr), Topic: run + ".raw", Balancer: &kafka.Murmur2Balancer{},
				RequiredAcks: kafka.RequireAll, MaxAttempts: 1, BatchSize: batch, BatchBytes: 1<<20 + 4096,
				BatchTimeout: 2 * time.Millisecond, WriteTimeout: 10 * time.Second, Transport: &kafka.Transport{}}
			defer w.Close()
			start := time.Now()
			for j := 0; j < len(msgs); j += batch {
				require.NoError(b, w.WriteMessages(context.Background(), msgs[j:min(j+batch, len(msgs))]...))
			}
			return time.Since(start)
		}
		writeAll() // warm the broker and its JIT before either run is timed

		br, err := archive.New(cfg, nh.js, nil)
		require.NoError(b, err)
		b.ResetTimer()
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- br.Run(ctx) }()
		waitArchived(b, br.Archived, nh.js, 5*time.Minute)
		bridgeTime := time.Since(start)
		b.StopTimer()
		cancel()
		require.NoError(b, <-done)
		require.Len(b, kafkatest.KcatConsume(b, broker.Addr, cfg.ObjectsTopic.Name), len(msgs))

		rawTime := writeAll()
		bridgeRate := float64(len(msgs)) / bridgeTime.Seconds()
		rawRate := float64(len(msgs)) / rawTime.Seconds()
		b.ReportMetric(bridgeRate, "bridge-records/s")
		b.ReportMetric(rawRate, "raw-records/s")
		b.ReportMetric(bridgeRate/rawRate, "ratio")
		b.Logf("%d records from %d parts: bridge %.0f records/s (%s), raw writer %.0f records/s (%s), ratio %.2f",
			len(msgs), parts, bridgeRate, bridgeTime.Round(time.Millisecond), rawRate, rawTime.Round(time.Millisecond), bridgeRate/rawRate)
	}
}

func createTopic(t testing.TB, broker *kafkatest.Broker, name string, partitions int) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(broker.Addr), Timeout: 30 * time.Second}
	res, err := client.CreateTopics(context.Background(), &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: name, NumPartitions: partitions, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: "2097152"}},
	}}})
	require.NoError(t, err)
	require.NoError(t, res.Errors[name])
	time.Sleep(500 * time.Millisecond) // let the partitions get their leader
}

// rawMessages are the records the bridge writes for pub's objects, with the
// same keys, values and headers, in stream order.
func rawMessages(pub *published) []kafka.Message {
	keys := make([]string, 0, len(pub.objects))
	for k := range pub.objects {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		si, ii, _ := strings.Cut(keys[i], "/")
		sj, ij, _ := strings.Cut(keys[j], "/")
		a, _ := strconv.Atoi(si)
		c, _ := strconv.Atoi(sj)
		if a != c {
			return a < c
		}
		x, _ := strconv.Atoi(ii)
		y, _ := strconv.Atoi(ij)
		return x < y
	})
	msgs := make([]kafka.Message, len(keys))
	for i, k := range keys {
		o := pub.objects[k]
		seq, index, _ := strings.Cut(k, "/")
		msgs[i] = kafka.Message{Key: []byte(o.id), Value: o.json, Headers: []kafka.Header{
			{Key: archive.HeaderTLP, Value: []byte(o.tlp)}, {Key: archive.HeaderSender, Value: []byte(o.sender)},
			{Key: archive.HeaderSubmission, Value: []byte(o.submission)}, {Key: archive.HeaderAudience, Value: []byte(o.audience)},
			{Key: archive.HeaderReceived, Value: []byte(o.received)}, {Key: archive.HeaderStream, Value: []byte("GENEVA_SHARE")},
			{Key: archive.HeaderSeq, Value: []byte(seq)}, {Key: archive.HeaderIndex, Value: []byte(index)},
			{Key: archive.HeaderSTIXType, Value: []byte("indicator")}, {Key: archive.HeaderModified, Value: []byte(o.modified)},
			{Key: archive.HeaderBatchStart, Value: []byte(seq)},
		}}
	}
	return msgs
}
