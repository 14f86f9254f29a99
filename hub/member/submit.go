package member

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub"
)

// SubmitOptions address a submission and say whether to wait for its
// receipt.
type SubmitOptions struct {
	To        []string // named recipients (needed for TLP:AMBER+STRICT and TLP:RED)
	Community string   // limit the submission to this community
	Anonymous bool     // recipients see the sender as "anonymous"
	MsgID     string   // Nats-Msg-Id; default a fresh unique id. A retry with the same id is stored once.
	NoWait    bool     // return once the hub has stored the submission, without its receipt
}

// SubmitResult is what became of a submission.
type SubmitResult struct {
	MsgID    string       // the id the receipt carries back
	Sequence uint64       // the submission's sequence in the member's intake stream
	Receipt  *hub.Receipt // nil with NoWait
}

// Submit sends bundle to the hub and, unless o.NoWait, waits for its
// receipt. The PubAck means the hub has stored it; the receipt says what
// policy did with it. A hub that does not answer within ctx's deadline
// (DefaultTimeout without one) gives a *NoAnswerError.
func (c *Client) Submit(ctx context.Context, bundle []byte, o SubmitOptions) (SubmitResult, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	if o.MsgID == "" {
		o.MsgID = "geneva-cli-" + nuid.Next()
	}
	res := SubmitResult{MsgID: o.MsgID}
	if max := c.nc.MaxPayload(); max > 0 && int64(len(bundle)) > max {
		return res, fmt.Errorf("submit: the bundle is %d bytes; the hub at %s accepts at most %d (its max_payload)", len(bundle), c.server, max)
	}
	msg := hub.SubmitMsg(c.member, bundle, hub.SubmitOptions{To: o.To, Community: o.Community,
		Anonymous: o.Anonymous, MsgID: o.MsgID})
	ack, err := c.js.PublishMsg(ctx, msg)
	if err != nil {
		return res, c.explain(ctx, "submit", started, err)
	}
	res.Sequence = ack.Sequence
	if o.NoWait {
		return res, nil
	}
	r, err := c.awaitReceipt(ctx, o.MsgID)
	if err != nil {
		var na *NoAnswerError
		if errors.As(err, &na) {
			return res, fmt.Errorf("the hub stored the submission (msg id %s) but sent no receipt within %v; "+
				"it will come later (geneva receipts): %w", o.MsgID, time.Since(started).Round(time.Second), err)
		}
		return res, err
	}
	res.Receipt = r
	return res, nil
}

// awaitReceipt pulls the member's receipt consumer until the receipt for
// msgID comes. Only that receipt is acknowledged: the others belong to
// whoever submitted them (a connector, another geneva submit). They are held
// for at most releaseEvery and then handed back (nak), so two clients
// waiting at once never sit on each other's receipt.
func (c *Client) awaitReceipt(ctx context.Context, msgID string) (*hub.Receipt, error) {
	const releaseEvery = 250 * time.Millisecond
	started := time.Now()
	cons, err := c.receiptConsumer(ctx)
	if err != nil {
		return nil, c.explain(ctx, "receipt", started, err)
	}
	var held []jetstream.Msg
	release := func() {
		for _, m := range held {
			_ = m.Nak()
		}
		held = nil
	}
	defer release()
	// takeAll reads a whole batch (messages left in it would stay pending
	// at the server until their ack wait ran out): it acknowledges the
	// receipt, if there, and holds the others.
	takeAll := func(batch jetstream.MessageBatch) (*hub.Receipt, error) {
		var found *hub.Receipt
		for m := range batch.Messages() {
			var r hub.Receipt
			if found != nil || json.Unmarshal(m.Data(), &r) != nil || r.MsgID != msgID {
				held = append(held, m)
				continue
			}
			if err := m.Ack(); err != nil {
				return nil, c.explain(ctx, "acknowledge receipt", started, err)
			}
			found = &r
		}
		if err := batch.Error(); found == nil && err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !isNoAnswer(err) {
			return nil, c.explain(ctx, "receipt", started, err)
		}
		return found, nil
	}
	for {
		released := time.Now()
		for time.Since(released) < releaseEvery {
			// Whatever is there now (a no-wait request ends at once), then
			// one more with a short wait. A pull request for more than one
			// would stay open at the server after we return and swallow the
			// next receipts until their ack wait ran out.
			for _, fetch := range []func() (jetstream.MessageBatch, error){
				func() (jetstream.MessageBatch, error) { return cons.FetchNoWait(256) },
				func() (jetstream.MessageBatch, error) { return cons.Fetch(1, jetstream.FetchMaxWait(releaseEvery)) },
			} {
				batch, err := fetch()
				if err != nil {
					return nil, c.explain(ctx, "receipt", started, err)
				}
				if r, err := takeAll(batch); r != nil || err != nil {
					return r, err
				}
			}
			if err := ctx.Err(); err != nil {
				return nil, c.explain(ctx, "receipt", started, err)
			}
		}
		release()
	}
}

func (c *Client) receiptConsumer(ctx context.Context) (jetstream.Consumer, error) {
	return c.js.Consumer(ctx, hub.StreamReceipt, hub.ReceiptConsumer(c.member))
}
