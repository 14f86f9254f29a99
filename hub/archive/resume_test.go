package archive_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// A crash in the middle of a write call leaves some partitions with the
// call's records and others without. The topic is set up that way by hand
// (records exactly as the bridge writes them): a first call fully written,
// a second one written to two partitions of four only. A bridge started on
// it writes exactly the missing records.
func TestBridgeCompletesAPartlyWrittenCall(t *testing.T) {
	broker := kafkatest.Shared(t)
	nh := startNATS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := newPublished()
	for n := range 30 {
		pub.publishPart(ctx, t, nh.js, "partial", n, 1+n%5)
	}
	cfg := testConfig(broker, "partial")
	createTopic(t, broker, cfg.ObjectsTopic.Name, cfg.ObjectsTopic.Partitions)

	msgs := rawMessages(pub)
	first, second := msgs[:len(msgs)/3], msgs[len(msgs)/3:2*len(msgs)/3]
	setBatchStart(first)
	setBatchStart(second)
	ids := make([]int, cfg.ObjectsTopic.Partitions)
	for i := range ids {
		ids[i] = i
	}
	var partly []kafka.Message
	for _, m := range second {
		if p := (&kafka.Murmur2Balancer{}).Balance(m, ids...); p == 0 || p == 2 {
			partly = append(partly, m)
		}
	}
	require.NotEmpty(t, partly)
	require.Less(t, len(partly), len(second))
	w := &kafka.Writer{Addr: kafka.TCP(broker.Addr), Topic: cfg.ObjectsTopic.Name, Balancer: &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	require.NoError(t, w.WriteMessages(ctx, first...))
	require.NoError(t, w.WriteMessages(ctx, partly...))
	require.NoError(t, w.Close())

	br, err := archive.New(cfg, nh.js, testLogger(t))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	waitArchived(t, br.Archived, nh.js, 60*time.Second)
	cancel()
	require.NoError(t, <-done)
	pub.checkObjects(t, broker.Addr, cfg.ObjectsTopic.Name)
}

// setBatchStart sets the geneva-batch-start header of one simulated write
// call to the stream sequence of its first record.
func setBatchStart(call []kafka.Message) {
	var start string
	for _, h := range call[0].Headers {
		if h.Key == archive.HeaderSeq {
			start = string(h.Value)
		}
	}
	if _, err := strconv.ParseUint(start, 10, 64); err != nil {
		panic("record without nats-seq")
	}
	for i := range call {
		for j := range call[i].Headers {
			if call[i].Headers[j].Key == archive.HeaderBatchStart {
				call[i].Headers[j].Value = []byte(start)
			}
		}
	}
}
