package crashtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
)

// connect connects as member (or hub.OperatorName) with its own creds file.
func connect(t *testing.T, url, dataDir, member string) jetstream.JetStream {
	t.Helper()
	_, opts, err := wire.MemberOptions(wire.CredsPath(dataDir, member), nil)
	require.NoError(t, err)
	nc, err := nats.Connect(url, opts...)
	require.NoError(t, err, "connect as %s", member)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return js
}

// readAll takes (and acks) messages from member's own consumer until at
// least want arrived, then keeps reading until nothing more comes for
// quiet, so duplicates and strays are seen too.
func readAll(t *testing.T, js jetstream.JetStream, member, stream, consumer string, want int, quiet time.Duration) []jetstream.Msg {
	t.Helper()
	c, err := js.Consumer(context.Background(), stream, consumer)
	require.NoError(t, err, "%s: consumer %s", member, consumer)
	var out []jetstream.Msg
	deadline := time.Now().Add(3 * time.Minute)
	for {
		wait := 2 * time.Second
		if len(out) >= want {
			wait = quiet
		}
		batch, err := c.Fetch(1000, jetstream.FetchMaxWait(wait))
		require.NoError(t, err, "%s: fetch from %s", member, consumer)
		got := 0
		for m := range batch.Messages() {
			require.NoError(t, m.Ack(), "%s: ack", member)
			out = append(out, m)
			got++
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			t.Fatalf("%s: fetch from %s: %v", member, consumer, err)
		}
		if got == 0 && len(out) >= want {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d messages on %s after 3 minutes", member, len(out), want, consumer)
		}
	}
}
