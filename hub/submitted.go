package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// serveSubmitted answers geneva.svc.submitted.<member>: does the hub have
// the member's submission with this Nats-Msg-Id? A connector asks before
// sending again a submission whose PubAck it did not get (the connection
// dropped, a WAN outage): past the intake's dedup window a resend would be
// stored and decided twice. Nothing is asked on the normal path.
//
// The intake is searched first (from the workers' ack floor: what is not
// decided yet), then the receipts from the query's age on: a submission
// stored before the search began is undecided in the first or has its
// receipt by the second (a worker stores the receipt before it acks, and
// only acked submissions are trimmed). Receipts of submissions refused
// before they were stored (wire.HeaderNotStored) do not count.
func (h *Hub) serveSubmitted(msg *nats.Msg) {
	member := wire.MemberOf(msg.Subject)
	ctx, cancel := context.WithTimeout(h.handlers, 10*time.Second)
	defer cancel()
	reply, err := h.submitted(ctx, member, msg.Data)
	if err != nil {
		reply = wire.SubmittedReply{Error: err.Error()}
	}
	b, _ := json.Marshal(reply)
	_ = msg.Respond(b)
}

// maxMsgIDLen bounds the Nats-Msg-Id a query may name, maxAgeSeconds the
// age (a year: receipts are not kept longer).
const (
	maxMsgIDLen   = 256
	maxAgeSeconds = 366 * 24 * 3600
)

func (h *Hub) submitted(ctx context.Context, member string, data []byte) (wire.SubmittedReply, error) {
	if me, ok := h.MoU().Member(member); !ok || me.Suspended {
		return wire.SubmittedReply{}, fmt.Errorf("member %q is not active", member)
	}
	var q wire.SubmittedQuery
	if err := json.Unmarshal(data, &q); err != nil {
		return wire.SubmittedReply{}, fmt.Errorf("submitted query: %v", err)
	}
	if q.MsgID == "" || len(q.MsgID) > maxMsgIDLen {
		return wire.SubmittedReply{}, fmt.Errorf("submitted query: /msg_id: want 1 to %d bytes", maxMsgIDLen)
	}
	if q.AgeSeconds < 0 || q.AgeSeconds > maxAgeSeconds {
		return wire.SubmittedReply{}, fmt.Errorf("submitted query: /age_seconds: want 0 to %d", maxAgeSeconds)
	}
	// A minute early: the age is rounded, and the sender measured it from
	// before its publish.
	since := time.Now().Add(-time.Duration(q.AgeSeconds)*time.Second - time.Minute)
	found, err := h.undecided(ctx, member, q.MsgID)
	if err != nil || found {
		return wire.SubmittedReply{Stored: found}, err
	}
	id, err := h.receiptOf(ctx, member, q.MsgID, since)
	return wire.SubmittedReply{Stored: id != "", Submission: id}, err
}

// undecided searches member's intake beyond the workers' ack floor
// (headers only) for msgID.
func (h *Hub) undecided(ctx context.Context, member, msgID string) (bool, error) {
	s, err := h.js.Stream(ctx, wire.IntakeStream(member))
	if err != nil {
		return false, err
	}
	c, err := s.Consumer(ctx, wire.ConsumerWorker)
	if err != nil {
		return false, err
	}
	ci, err := c.Info(ctx)
	if err != nil {
		return false, err
	}
	found := false
	err = portalBackend{h}.readAll(ctx, wire.IntakeStream(member), jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: ci.AckFloor.Stream + 1, HeadersOnly: true,
	}, func(m jetstream.Msg) { found = found || m.Headers().Get(nats.MsgIdHdr) == msgID })
	return found, err
}

// receiptOf searches member's receipts stored since for msgID's and
// returns its submission id ("" when there is none).
func (h *Hub) receiptOf(ctx context.Context, member, msgID string, since time.Time) (string, error) {
	quoted, _ := json.Marshal(msgID)
	var id string
	err := portalBackend{h}.readAll(ctx, wire.StreamReceipt, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{wire.ReceiptSubject(member)}, DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since,
	}, func(m jetstream.Msg) {
		if id != "" || m.Headers().Get(wire.HeaderNotStored) == "true" || !bytes.Contains(m.Data(), quoted) {
			return
		}
		var r wire.Receipt
		if json.Unmarshal(m.Data(), &r) == nil && r.MsgID == msgID {
			id = r.Submission
		}
	})
	return id, err
}
