package member

import (
	"context"
)

// SubscribeWithBuffer is Subscribe with a delivery buffer of n, so a test
// can overflow it.
func (c *Client) SubscribeWithBuffer(ctx context.Context, o SubscribeOptions, n int) (*Subscription, error) {
	return c.subscribe(ctx, o, n)
}
