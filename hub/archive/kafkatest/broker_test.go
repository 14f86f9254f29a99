package kafkatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// A broker takes a record and kcat reads it back with its header. (Stop,
// Kill and Restart are exercised by hub/archive's Kafka fault test.)
func TestBrokerTakesAndServesRecords(t *testing.T) {
	b := kafkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(b.Addr)}
	res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: "t", NumPartitions: 1, ReplicationFactor: 1,
	}}})
	require.NoError(t, err)
	require.NoError(t, res.Errors["t"])
	w := &kafka.Writer{Addr: kafka.TCP(b.Addr), Topic: "t", RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	require.NoError(t, w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("v"),
		Headers: []kafka.Header{{Key: "h", Value: []byte("x")}}}))
	require.NoError(t, w.Close())

	require.True(t, b.Running())
	recs := kafkatest.KcatConsume(t, b.Addr, "t")
	require.Len(t, recs, 1)
	require.Equal(t, "k", *recs[0].Key)
	require.Equal(t, "v", *recs[0].Payload)
	require.Equal(t, "x", recs[0].Headers["h"])
}
