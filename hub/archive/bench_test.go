package archive_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/internal/cputime"
)

// BenchmarkBridgeVsRawWriter archives a backlog of parts with the bridge
// and writes the very same records (keys, values, headers) with a bare
// kafka-go Writer to a twin topic on the same broker, with the same settings
// (acks=all, same batch size and timeout, one sync call of BatchSize records
// at a time). After one untimed round of each (the broker's JIT), five
// rounds alternate raw and bridge, each on fresh topics (a new bridge
// re-archives the same streams from the start); the medians are reported,
// and the median of the back-to-back pairs' ratios: the shared machine's
// load makes single runs vary twofold.
//
//	go test -run '^$' -bench BridgeVsRaw -benchtime 1x ./hub/archive/
//
// The bridge reads JetStream the two ways it runs: inside geneva-hub on the
// hub's in-process connection (the default), and as `geneva-hub archive`
// over TCP.
func BenchmarkBridgeVsRawWriter(b *testing.B) {
	broker := kafkatest.Shared(b)
	b.Run("in-process", func(b *testing.B) {
		benchBridgeVsRaw(b, broker, func(nh *natsHub) jetstream.JetStream {
			nc, err := nats.Connect("", nats.InProcessServer(nh.srv))
			require.NoError(b, err)
			b.Cleanup(nc.Close)
			js, err := jetstream.New(nc)
			require.NoError(b, err)
			return js
		})
	})
	b.Run("tcp", func(b *testing.B) {
		benchBridgeVsRaw(b, broker, func(nh *natsHub) jetstream.JetStream { return nh.js })
	})
}

func benchBridgeVsRaw(b *testing.B, broker *kafkatest.Broker, connect func(*natsHub) jetstream.JetStream) {
	const parts, partitions, batch, rounds = 16000, 4, 1000, 5
	for i := 0; i < b.N; i++ {
		nh := startNATS(b)
		bridgeJS := connect(nh)
		pub := newPublished()
		run := fmt.Sprintf("bench%d-%d", i, time.Now().UnixNano())
		for n := range parts {
			pub.publishPart(context.Background(), b, nh.js, run, n, 1+(n*7)%8)
		}
		msgs := rawMessages(pub)

		// CPU time of this process (bridge or raw writer, JetStream server
		// and client; not the broker) per timed round: steadier than wall
		// time on a shared machine.
		var rawCPU, bridgeCPU, rawBrokerCPU, bridgeBrokerCPU []time.Duration
		brokerCPU := func() time.Duration {
			d, err := broker.CPU()
			require.NoError(b, err)
			return d
		}
		// A fresh writer per run, as the bridge makes one per session.
		raw := func(topic string) time.Duration {
			createTopic(b, broker, topic, partitions)
			w := &kafka.Writer{Addr: kafka.TCP(broker.Addr), Topic: topic, Balancer: &kafka.Murmur2Balancer{},
				RequiredAcks: kafka.RequireAll, MaxAttempts: 1, BatchSize: batch, BatchBytes: 1<<20 + 4096,
				// As the bridge's writer: each call is sent at once.
				BatchTimeout: time.Nanosecond, WriteTimeout: 10 * time.Second, Transport: &kafka.Transport{}}
			defer w.Close()
			start, cpu, bcpu := time.Now(), cputime.Process(), brokerCPU()
			for j := 0; j < len(msgs); j += batch {
				require.NoError(b, w.WriteMessages(context.Background(), msgs[j:min(j+batch, len(msgs))]...))
			}
			rawCPU = append(rawCPU, cputime.Process()-cpu)
			rawBrokerCPU = append(rawBrokerCPU, brokerCPU()-bcpu)
			return time.Since(start)
		}
		bridge := func(name string) time.Duration {
			cfg := testConfig(broker, name)
			cfg.ObjectsTopic.Partitions = partitions
			cfg.BatchSize = batch
			createTopic(b, broker, cfg.ObjectsTopic.Name, partitions)
			createTopic(b, broker, cfg.AuditTopic.Name, 1)
			br, err := archive.New(cfg, bridgeJS, nil)
			require.NoError(b, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			start, cpu, bcpu := time.Now(), cputime.Process(), brokerCPU()
			go func() { done <- br.Run(ctx) }()
			waitArchived(b, br.Archived, nh.js, 5*time.Minute)
			took := time.Since(start)
			bridgeCPU = append(bridgeCPU, cputime.Process()-cpu)
			bridgeBrokerCPU = append(bridgeBrokerCPU, brokerCPU()-bcpu)
			cancel()
			require.NoError(b, <-done)
			require.Len(b, kafkatest.KcatConsume(b, broker.Addr, cfg.ObjectsTopic.Name), len(msgs))
			return took
		}

		// Warm the broker and its JIT on both paths before anything is timed:
		// the first rounds on a fresh broker run up to twice as slow.
		raw(run + ".warmup")
		bridge(run + ".bwarmup")
		rawCPU, bridgeCPU, rawBrokerCPU, bridgeBrokerCPU = nil, nil, nil, nil
		var rawTimes, bridgeTimes []time.Duration
		var paired []float64 // raw time / bridge time of back-to-back rounds
		for r := range rounds {
			rawTimes = append(rawTimes, raw(fmt.Sprintf("%s.raw%d", run, r)))
			bridgeTimes = append(bridgeTimes, bridge(fmt.Sprintf("%s.b%d", run, r)))
			paired = append(paired, rawTimes[r].Seconds()/bridgeTimes[r].Seconds())
		}
		rate := func(d time.Duration) float64 { return float64(len(msgs)) / d.Seconds() }
		bridgeRate, rawRate := rate(median(bridgeTimes)), rate(median(rawTimes))
		slices.Sort(paired)
		b.ReportMetric(bridgeRate, "bridge-records/s")
		b.ReportMetric(rawRate, "raw-records/s")
		b.ReportMetric(bridgeRate/rawRate, "ratio")
		b.ReportMetric(paired[len(paired)/2], "paired-ratio")
		b.ReportMetric(median(bridgeCPU).Seconds(), "bridge-cpu-s/round")
		b.ReportMetric(median(rawCPU).Seconds(), "raw-cpu-s/round")
		b.ReportMetric(median(bridgeBrokerCPU).Seconds(), "bridge-broker-cpu-s/round")
		b.ReportMetric(median(rawBrokerCPU).Seconds(), "raw-broker-cpu-s/round")
		b.Logf("%d records from %d parts, medians of %d rounds: bridge %.0f records/s, raw writer %.0f records/s, ratio %.2f, paired ratio %.2f (bridge %v, raw %v); process CPU per round: bridge %v, raw %v; broker CPU per round: bridge %v, raw %v",
			len(msgs), parts, rounds, bridgeRate, rawRate, bridgeRate/rawRate, paired[len(paired)/2], bridgeTimes, rawTimes, bridgeCPU, rawCPU, bridgeBrokerCPU, rawBrokerCPU)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
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
	// Wait until every partition answers on its leader: a just-created
	// topic answers Not Leader for a while (the broker applies the metadata
	// asynchronously), and the raw writer does not retry.
	deadline := time.Now().Add(30 * time.Second)
	reqs := make([]kafka.OffsetRequest, partitions)
	for p := range reqs {
		reqs[p] = kafka.LastOffsetOf(p)
	}
	for {
		fresh := &kafka.Client{Addr: kafka.TCP(broker.Addr), Timeout: 5 * time.Second, Transport: &kafka.Transport{}}
		res, err := fresh.ListOffsets(context.Background(), &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{name: reqs}})
		ready := err == nil && len(res.Topics[name]) == partitions
		if ready {
			for _, po := range res.Topics[name] {
				if po.Error != nil {
					ready, err = false, po.Error
				}
			}
		}
		if ready {
			return
		}
		require.True(t, time.Now().Before(deadline), "topic %s not ready: %v", name, err)
		time.Sleep(50 * time.Millisecond)
	}
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
