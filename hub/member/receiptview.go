package member

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/wire"
)

// receiptView reads the member's receipts through a viewer consumer the
// hub creates on GENEVA_RECEIPT (geneva.svc.receipts.<member>). It takes
// nothing: receipt_<member> stays whole for the member's connector.
type receiptView struct {
	c        *Client
	sub      *nats.Subscription
	pending  uint64 // receipts the view had when created and not yet read
	lastCSeq uint64 // the consumer's own count: a gap means a lost delivery
}

// viewReceipts opens a view starting where req says (new receipts when it
// says nothing).
func (c *Client) viewReceipts(ctx context.Context, what string, req wire.SubscribeRequest, started time.Time) (*receiptView, error) {
	req.Session = nuid.Next()
	sub, err := c.nc.SubscribeSync(wire.DeliverSubject(c.member, req.Session))
	if err != nil {
		return nil, c.explain(ctx, what, started, err)
	}
	reply, err := c.requestView(ctx, what, wire.ReceiptsService(c.member), req, started)
	if err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	return &receiptView{c: c, sub: sub, pending: reply.Pending}, nil
}

// close ends the view; the hub drops its consumer soon after.
func (v *receiptView) close() { _ = v.sub.Unsubscribe() }

// next waits for the next receipt.
func (v *receiptView) next(ctx context.Context) (wire.Receipt, error) {
	for {
		m, err := v.sub.NextMsgWithContext(ctx)
		if err != nil {
			return wire.Receipt{}, err
		}
		meta, err := m.Metadata()
		if err != nil {
			continue // a heartbeat or flow control, not a receipt
		}
		if meta.Sequence.Consumer != v.lastCSeq+1 {
			return wire.Receipt{}, errors.New("a receipt was lost on the way; try again")
		}
		v.lastCSeq, v.pending = meta.Sequence.Consumer, meta.NumPending
		var r wire.Receipt
		if err := json.Unmarshal(m.Data, &r); err != nil {
			return wire.Receipt{}, fmt.Errorf("the receipt at GENEVA_RECEIPT sequence %d is not JSON: %w", meta.Sequence.Stream, err)
		}
		return r, nil
	}
}

// await waits for the receipt of the submission with Nats-Msg-Id msgID.
func (v *receiptView) await(ctx context.Context, msgID string) (*wire.Receipt, error) {
	for {
		r, err := v.next(ctx)
		if err != nil {
			return nil, err
		}
		if r.MsgID == msgID {
			return &r, nil
		}
	}
}
