package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/wire"
)

// receiptViewIdle is how long a receipt view outlives its reader: views
// are short (a listing, one submission's wait), and a member may hold at
// most MaxSubscriptions of them.
const receiptViewIdle = 2 * time.Second

// serveReceipts answers geneva.svc.receipts.<member>: a SubscribeRequest
// (session, and since or start_seq; no TLP) for a read-only view of the
// member's own receipts. Like a real-time subscription it is an ephemeral
// consumer that takes nothing, so the member's connector still gets every
// receipt from receipt_<member>. Its filter comes from the subject the
// server let the member publish on, never from the request body.
func (h *Hub) serveReceipts(msg *nats.Msg) {
	member := wire.MemberOf(msg.Subject)
	reply := wire.SubscribeReply{}
	if cfg, err := h.receiptView(member, msg.Data); err != nil {
		reply.Error = err.Error()
	} else {
		ctx, cancel := context.WithTimeout(h.handlers, 10*time.Second)
		defer cancel()
		reply = h.openView(ctx, wire.StreamReceipt, member, cfg)
	}
	b, _ := json.Marshal(reply)
	_ = msg.Respond(b)
}

func (h *Hub) receiptView(member string, data []byte) (jetstream.ConsumerConfig, error) {
	if me, ok := h.MoU().Member(member); !ok || me.Suspended {
		return jetstream.ConsumerConfig{}, fmt.Errorf("member %q is not active", member)
	}
	var req wire.SubscribeRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return jetstream.ConsumerConfig{}, fmt.Errorf("receipts request: %v", err)
	}
	if !sessionRE.MatchString(req.Session) {
		return jetstream.ConsumerConfig{}, fmt.Errorf("receipts request: /session: want 1 to 64 of [A-Za-z0-9_-]")
	}
	if len(req.TLP) > 0 {
		return jetstream.ConsumerConfig{}, fmt.Errorf("receipts request: /tlp: receipts have no TLP; leave it out")
	}
	cfg := jetstream.ConsumerConfig{
		Name: subscriptionPrefix(member) + nuid.Next(), DeliverSubject: wire.DeliverSubject(member, req.Session),
		FilterSubject: wire.ReceiptSubject(member), AckPolicy: jetstream.AckNonePolicy,
		DeliverPolicy: jetstream.DeliverNewPolicy, InactiveThreshold: receiptViewIdle,
		Description: "receipts of member " + member,
	}
	startAt(&cfg, req)
	return cfg, nil
}
