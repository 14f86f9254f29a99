package member

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
)

// Receipts returns the member's receipts received at or after since, oldest
// first, without taking them: every receipt read is handed back (nak) for
// whoever consumes the member's receipts.
//
// The hub offers members no read-only view of GENEVA_RECEIPT yet, so this
// reads the member's durable receipt consumer: it sees the receipts no
// client has acknowledged. A receipt that Submit already waited for (and
// acknowledged) is not listed again.
func (c *Client) Receipts(ctx context.Context, since time.Time) ([]hub.Receipt, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	cons, err := c.receiptConsumer(ctx)
	if err != nil {
		return nil, c.explain(ctx, "receipts", started, err)
	}
	var held []jetstream.Msg
	defer func() {
		for _, m := range held {
			_ = m.Nak()
		}
	}()
	var out []hub.Receipt
	for {
		// Fetched messages stay pending until nak'ed, so each round sees
		// only receipts not yet read.
		batch, err := cons.FetchNoWait(256)
		if err != nil {
			return nil, c.explain(ctx, "receipts", started, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			held = append(held, m)
			var r hub.Receipt
			if json.Unmarshal(m.Data(), &r) != nil || r.Received.Before(since) {
				continue
			}
			out = append(out, r)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, c.explain(ctx, "receipts", started, err)
		}
		if n == 0 {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b hub.Receipt) int { return a.Received.Compare(b.Received) })
	return out, nil
}
