package member

import (
	"context"
	"slices"
	"time"

	"github.com/genevahub/geneva/hub/wire"
)

// Receipts returns the member's receipts received at or after since (zero:
// all the hub keeps), oldest first. It reads a read-only view of the
// receipt stream: nothing is taken, so reading twice shows the same, and
// the member's connector still gets every receipt.
func (c *Client) Receipts(ctx context.Context, since time.Time) ([]wire.Receipt, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	req := wire.SubscribeRequest{Since: since}
	if since.IsZero() {
		req.StartSeq = 1
	}
	v, err := c.viewReceipts(ctx, "receipts", req, started)
	if err != nil {
		return nil, err
	}
	defer v.close()
	var out []wire.Receipt
	// The view counts what it had when created; later receipts are not
	// waited for.
	for v.pending > 0 {
		r, err := v.next(ctx)
		if err != nil {
			return nil, c.explain(ctx, "receipts", started, err)
		}
		// The view starts at the receipt's publication; a receipt that
		// came later (a review) for an older submission is left out.
		if !r.Received.Before(since) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b wire.Receipt) int { return a.Received.Compare(b.Received) })
	return out, nil
}
