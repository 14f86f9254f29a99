package metrics

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// ConsumerRef names a JetStream consumer that delivers to a member.
type ConsumerRef struct {
	Member   string
	Stream   string
	Consumer string
}

// JetStreamLag is a WatchConsumerLag source: for each member, the sum over
// its consumers (refs() at scrape time) of messages not yet delivered plus
// messages delivered but not acknowledged. A consumer that no longer exists
// is skipped; any other error fails the read.
func JetStreamLag(js jetstream.JetStream, refs func() []ConsumerRef) func(ctx context.Context) (map[string]uint64, error) {
	return func(ctx context.Context) (map[string]uint64, error) {
		lag := map[string]uint64{}
		for _, r := range refs() {
			if _, ok := lag[r.Member]; !ok {
				lag[r.Member] = 0
			}
			c, err := js.Consumer(ctx, r.Stream, r.Consumer)
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("consumer %s/%s: %w", r.Stream, r.Consumer, err)
			}
			info := c.CachedInfo() // fetched just now by js.Consumer
			lag[r.Member] += info.NumPending + uint64(info.NumAckPending)
		}
		return lag, nil
	}
}

// JetStreamSizes is a WatchStreams source reading the named streams; a
// stream that does not exist (yet) is skipped.
func JetStreamSizes(js jetstream.JetStream, streams ...string) func(ctx context.Context) ([]StreamSize, error) {
	return func(ctx context.Context) ([]StreamSize, error) {
		out := make([]StreamSize, 0, len(streams))
		for _, name := range streams {
			s, err := js.Stream(ctx, name)
			if errors.Is(err, jetstream.ErrStreamNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("stream %s: %w", name, err)
			}
			st := s.CachedInfo().State // fetched just now by js.Stream
			out = append(out, StreamSize{Stream: name, Messages: st.Msgs, Bytes: st.Bytes})
		}
		return out, nil
	}
}
