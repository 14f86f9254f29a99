package member

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/retry"
)

// Msg is one message a Take call hands over: its body, headers and
// stream position, and the acks that settle it.
type Msg = jetstream.Msg

// TakeInbox hands every share in the member's inbox (its durable
// consumer, wire.InboxConsumer) to handle, until ctx is done. Unlike
// Subscribe it takes them: handle acks each once it is safely elsewhere,
// and what is not acked comes again. This is the connector's reader; a
// member runs one.
func (c *Client) TakeInbox(ctx context.Context, batchSize int, handle func(Msg), warn func(error)) {
	c.consume(ctx, wire.StreamShare, wire.InboxConsumer(c.member), batchSize, handle, warn)
}

// TakeReceipts hands every receipt in the member's receipt consumer
// (wire.ReceiptConsumer) to handle, until ctx is done: handle acks the
// ones it settles and naks the others back for another client.
func (c *Client) TakeReceipts(ctx context.Context, batchSize int, handle func(Msg), warn func(error)) {
	c.consume(ctx, wire.StreamReceipt, wire.ReceiptConsumer(c.member), batchSize, handle, warn)
}

// consume hands every message of one of the member's hub-created
// consumers to handle, until ctx is done. It looks the consumer up again
// after any error (a hub restart, a reconnect) and backs off while the hub
// is away; warn, if not nil, is told of the first failure and every
// twentieth.
func (c *Client) consume(ctx context.Context, stream, consumer string, batchSize int,
	handle func(jetstream.Msg), warn func(error)) {
	failures := 0
	fail := func(err error) bool {
		failures++
		if warn != nil && (failures == 1 || failures%20 == 0) {
			warn(err)
		}
		return retry.Sleep(ctx, retry.Backoff(failures, 5*time.Second))
	}
	var cons jetstream.Consumer
	for ctx.Err() == nil {
		if cons == nil {
			var err error
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			cons, err = c.js.Consumer(cctx, stream, consumer)
			cancel()
			if err != nil {
				cons = nil
				if c.domain == "" && errors.Is(err, nats.ErrNoResponders) {
					// The usual cause once connected: a NATS leaf node in
					// between, which lets JetStream through only under a domain.
					err = fmt.Errorf("%w (behind a NATS leaf node? give the hub cluster's JetStream domain: connector hub.jetstream_domain, DialOptions.JetStreamDomain)", err)
				}
				if !fail(err) {
					return
				}
				continue
			}
		}
		batch, err := cons.Fetch(batchSize, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			cons = nil
			if !fail(err) {
				return
			}
			continue
		}
		failures = 0
		for m := range batch.Messages() {
			handle(m)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
			cons = nil // reconnect or consumer gone: look it up again
			if !retry.Sleep(ctx, 100*time.Millisecond) {
				return
			}
		}
	}
}
