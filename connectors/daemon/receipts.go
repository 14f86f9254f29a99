package daemon

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// receipts reads the member's receipt consumer and matches each receipt to
// a spooled submission by its msg id. Receipts for submissions made by
// another connector of the same member are handed back for two minutes, so
// it can take them (`geneva submit` reads receipts through the hub's
// read-only receipt view and never takes them).
func (c *Connector) receipts(ctx context.Context) {
	c.hub.TakeReceipts(ctx, 16, func(m member.Msg) { c.handleReceipt(ctx, m) }, nil)
}

func (c *Connector) handleReceipt(ctx context.Context, m member.Msg) {
	var r wire.Receipt
	if err := json.Unmarshal(m.Data(), &r); err != nil {
		c.log.Warn("receipt is not JSON; dropped", "err", err)
		_ = m.Ack()
		return
	}
	c.policyChanged(r.PolicyVersion)
	if !strings.HasPrefix(r.MsgID, "gc-"+c.instance+"-") {
		if time.Since(r.Received) < 2*time.Minute {
			// Another client of this member (the CLI, a second connector)
			// may be waiting for it.
			_ = m.NakWithDelay(5 * time.Second)
		} else {
			_ = m.Ack()
		}
		return
	}
	if m.Headers().Get(wire.HeaderNotStored) == "true" {
		// Refused before it was stored (over quota): the publish got that
		// answer too, and the item is sent again; its receipt is to come.
		c.log.Info("receipt of a submission refused before the hub stored it; the connector sends it again",
			"id", r.MsgID, "reasons", receiptCodes(r))
		_ = m.Ack()
		return
	}
	if c.spool.Queued(r.MsgID) {
		// The receipt overtook our own bookkeeping of the PubAck: try again shortly.
		_ = m.NakWithDelay(100 * time.Millisecond)
		return
	}
	rejected := r.Verdict == policy.Reject
	// Hand the receipt to the source before the spool forgets the item: a
	// crash in between redelivers the receipt and this runs again.
	it, ok, err := c.spool.SentItem(r.MsgID)
	if err != nil {
		c.log.Error("receipt", "id", r.MsgID, "err", err)
		_ = m.NakWithDelay(time.Second)
		return
	}
	log := c.log.With("id", r.MsgID, "submission", r.Submission, "verdict", r.Verdict)
	if !ok {
		log.Debug("receipt for a submission already settled")
		_ = m.Ack()
		return
	}
	log = log.With("source", it.Source, "ref", it.Ref)
	for _, s := range c.sources {
		if h, isHandler := s.src.(connectors.ReceiptHandler); isHandler && s.name == it.Source {
			if err := h.Receipt(ctx, it.Ref, r); err != nil {
				s.log.Warn("hand receipt to source", "ref", it.Ref, "err", err)
			}
		}
	}
	if _, _, err := c.spool.Settle(r.MsgID, rejected, m.Data()); err != nil {
		log.Error("settle receipt", "err", err)
		_ = m.NakWithDelay(time.Second)
		return
	}
	c.metrics.Receipts.WithLabelValues(r.Verdict.String()).Inc()
	if rejected {
		c.metrics.Rejections.Inc()
		log.Warn("the hub rejected a submission", "reasons", receiptCodes(r), "failed", c.spool.Dir()+"/failed/"+r.MsgID+".json")
	} else {
		log.Info("receipt")
	}
	_ = m.Ack()
}

func receiptCodes(r wire.Receipt) []string {
	var codes []string
	for _, x := range r.Reasons {
		codes = append(codes, string(x.Code))
	}
	for _, o := range r.Objects {
		for _, x := range o.Reasons {
			if !o.Shared {
				codes = append(codes, string(x.Code))
			}
		}
	}
	return codes
}
