package member

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/wire"
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
	MsgID     string        // the id the receipt carries back
	Sequence  uint64        // the submission's sequence in the member's intake stream
	Duplicate bool          // the hub had it already (a retry with the same MsgID)
	Receipt   *wire.Receipt // nil with NoWait
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
		return res, &TooLargeError{Size: int64(len(bundle)), Max: max, Server: c.server}
	}
	// The view opens before the submission goes out, so its receipt
	// cannot come before the view starts.
	var view *receiptView
	if !o.NoWait {
		v, err := c.viewReceipts(ctx, "submit", wire.SubscribeRequest{}, started)
		if err != nil {
			return res, err
		}
		view = v
		defer func() { view.close() }()
	}
	msg := wire.SubmitMsg(c.member, bundle, wire.SubmitOptions{To: o.To, Community: o.Community,
		Anonymous: o.Anonymous, MsgID: o.MsgID})
	ack, err := c.js.PublishMsg(ctx, msg)
	if err != nil {
		return res, c.explain(ctx, "submit", started, err)
	}
	res.Sequence, res.Duplicate = ack.Sequence, ack.Duplicate
	if o.NoWait {
		return res, nil
	}
	if ack.Duplicate {
		// A retry of a submission already stored: its receipt may be out
		// already, within the hub's dedup window.
		v, err := c.viewReceipts(ctx, "submit", wire.SubscribeRequest{Since: started.Add(-dedupLookback)}, started)
		if err != nil {
			return res, err
		}
		view.close()
		view = v
	}
	r, err := view.await(ctx, o.MsgID)
	if err != nil {
		err = c.explain(ctx, "receipt", started, err)
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

// dedupLookback covers the hub's Nats-Msg-Id dedup window (2 minutes) and
// some clock skew.
const dedupLookback = 5 * time.Minute

// Submitted asks the hub whether it has the member's submission with
// Nats-Msg-Id msgID, first sent at sentAt (wire.SubmittedQuery): the
// question to ask before sending again a submission whose PubAck never
// came, since the hub's intake drops a repeat only within its dedup
// window. The hub's error is a *RefusedError.
func (c *Client) Submitted(ctx context.Context, msgID string, sentAt time.Time) (wire.SubmittedReply, error) {
	age := max(time.Since(sentAt), 0)
	q := wire.SubmittedQuery{MsgID: msgID, AgeSeconds: int64(age.Round(time.Second)/time.Second) + 1}
	var reply wire.SubmittedReply
	if err := c.ask(ctx, "submitted", wire.SubmittedService(c.member), q, &reply); err != nil {
		return reply, err
	}
	if reply.Error != "" {
		return reply, &RefusedError{What: "submitted", Reason: reply.Error}
	}
	return reply, nil
}
