package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/metrics"
)

func startJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(hubtest.StartNATS(t).ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return js
}

func TestJetStreamSources(t *testing.T) {
	js := startJS(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "INBOX_LE_ALPHA", Subjects: []string{"inbox.le-alpha"}})
	require.NoError(t, err)
	var bytes uint64
	for i := range 10 {
		ack, err := js.Publish(ctx, "inbox.le-alpha", fmt.Appendf(nil, "share %d", i))
		require.NoError(t, err)
		require.Equal(t, uint64(i+1), ack.Sequence)
	}
	info, err := js.Stream(ctx, "INBOX_LE_ALPHA")
	require.NoError(t, err)
	bytes = info.CachedInfo().State.Bytes

	// le-alpha has two consumers: one read 4 and acked 3; one untouched.
	for _, name := range []string{"le-alpha-1", "le-alpha-2"} {
		_, err := js.CreateConsumer(ctx, "INBOX_LE_ALPHA", jetstream.ConsumerConfig{Durable: name, AckPolicy: jetstream.AckExplicitPolicy})
		require.NoError(t, err)
	}
	c, err := js.Consumer(ctx, "INBOX_LE_ALPHA", "le-alpha-1")
	require.NoError(t, err)
	batch, err := c.FetchNoWait(4)
	require.NoError(t, err)
	n := 0
	for msg := range batch.Messages() {
		if n < 3 {
			require.NoError(t, msg.DoubleAck(ctx))
		}
		n++
	}
	require.Equal(t, 4, n)

	m := metrics.New()
	m.WatchConsumerLag(metrics.JetStreamLag(js, func() []metrics.ConsumerRef {
		return []metrics.ConsumerRef{
			{Member: "le-alpha", Stream: "INBOX_LE_ALPHA", Consumer: "le-alpha-1"}, // 6 pending + 1 unacked
			{Member: "le-alpha", Stream: "INBOX_LE_ALPHA", Consumer: "le-alpha-2"}, // 10 pending
			{Member: "bank-one", Stream: "INBOX_BANK_ONE", Consumer: "gone"},       // stream not there
		}
	}))
	m.WatchStreams(metrics.JetStreamSizes(js, "INBOX_LE_ALPHA", "GENEVA_AUDIT"))
	fams := scrape(t, serve(t, m, nil))

	require.Equal(t, 17.0, value(t, fams, "geneva_consumer_lag_messages", "member", "le-alpha"))
	require.Equal(t, 0.0, value(t, fams, "geneva_consumer_lag_messages", "member", "bank-one"))
	require.Equal(t, 10.0, value(t, fams, "geneva_stream_messages", "stream", "INBOX_LE_ALPHA"))
	require.Equal(t, float64(bytes), value(t, fams, "geneva_stream_bytes", "stream", "INBOX_LE_ALPHA"))
	require.Len(t, fams["geneva_stream_messages"].GetMetric(), 1, "a missing stream is skipped")
}
