package kafkatest_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/schemas/stixtest"
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

// The SASL_SSL listener takes a record from kcat with each offered
// mechanism and serves it back with another (the client certificate and
// the CA on both sides).
func TestSecuredListener(t *testing.T) {
	b := kafkatest.StartWith(t, kafkatest.Options{Secured: true})
	s := b.Secure
	require.NotNil(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(b.Addr)}
	kcat := stixtest.Peer(t, kafkatest.KcatEnv)
	for i, mech := range kafkatest.Mechanisms {
		topic := "secured." + mech
		res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
			Topic: topic, NumPartitions: 1, ReplicationFactor: 1,
		}}})
		require.NoError(t, err)
		require.NoError(t, res.Errors[topic])
		cmd := exec.Command(kcat, append([]string{"-P", "-b", s.Addr, "-t", topic, "-k", "k", "-H", "h=" + mech}, s.KcatArgs(mech)...)...)
		cmd.Stdin = strings.NewReader("v-" + mech)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "kcat -P with %s: %s", mech, out)

		recs := kafkatest.KcatConsumeSecure(t, s, kafkatest.Mechanisms[(i+1)%len(kafkatest.Mechanisms)], topic)
		require.Len(t, recs, 1, mech)
		require.Equal(t, "v-"+mech, *recs[0].Payload)
		require.Equal(t, mech, recs[0].Headers["h"])
	}
}
