package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy/tlp"
)

var sessionRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// subscriptionIdle is how long a subscription's consumer outlives its
// subscriber.
const subscriptionIdle = 30 * time.Second

func (h *Hub) serveSubscribe(msg *nats.Msg) {
	member := wire.MemberOf(msg.Subject)
	reply := func(r wire.SubscribeReply) {
		b, _ := json.Marshal(r)
		_ = msg.Respond(b)
	}
	ctx, cancel := context.WithTimeout(h.handlers, 10*time.Second)
	defer cancel()
	cfg, err := h.subscription(member, msg.Data)
	if err == nil {
		err = h.clampToFloor(ctx, member, &cfg)
	}
	if err != nil {
		reply(wire.SubscribeReply{Error: err.Error()})
		return
	}
	reply(h.openView(ctx, wire.StreamShare, member, cfg))
}

// openView creates a viewer consumer on stream for member, unless it
// already has as many there as its quota's views, and says where it
// starts.
func (h *Hub) openView(ctx context.Context, stream, member string, cfg jetstream.ConsumerConfig) wire.SubscribeReply {
	limit := h.MoU().QuotaOf(member).Views
	if n, err := h.subscriptions(ctx, stream, member); err != nil || n >= limit {
		if err != nil {
			h.log.Error("subscribe", "member", member, "stream", stream, "err", err)
		}
		return wire.SubscribeReply{Error: fmt.Sprintf("at most %d real-time subscriptions per member; close one first", limit)}
	}
	c, err := h.js.CreatePushConsumer(ctx, stream, cfg)
	if err != nil {
		h.log.Error("subscribe", "member", member, "stream", stream, "err", err)
		return wire.SubscribeReply{Error: "the hub could not create the subscription"}
	}
	// The create answer is a snapshot taken before the first delivery.
	info := c.CachedInfo()
	return wire.SubscribeReply{DeliverSubject: cfg.DeliverSubject, Consumer: cfg.Name,
		StartSeq: info.Delivered.Stream + 1, Pending: info.NumPending}
}

// MaxSubscriptions is the default bound on a member's live views
// (real-time subscriptions, receipt views) on each stream: the MoU's
// quotas.views (policy.DefaultQuota.Views).
const MaxSubscriptions = 16

func subscriptionPrefix(member string) string { return "sub_" + member + "_" }

// subscriptions counts member's live viewer consumers on stream: those
// with a reader. One whose reader has left (a finished geneva receipts, a
// client that went away) is deleted now rather than at its inactive
// threshold, so a member's short views in a row never hit the limit. A
// fresh one is spared (the server may not have seen its reader yet).
func (h *Hub) subscriptions(ctx context.Context, stream, member string) (int, error) {
	s, err := h.js.Stream(ctx, stream)
	if err != nil {
		return 0, err
	}
	// Names first, then the info of this member's views only: the info of
	// every consumer (the members' filtered inboxes) costs the server a
	// pending count each, and a member asking again and again (a flood of
	// requests over its quota) would slow everyone's deliveries.
	n := 0
	names := s.ConsumerNames(ctx)
	for name := range names.Name() {
		if !strings.HasPrefix(name, subscriptionPrefix(member)) {
			continue
		}
		c, err := s.PushConsumer(ctx, name) // views are push consumers
		switch {
		case errors.Is(err, jetstream.ErrConsumerNotFound): // gone meanwhile
		case err != nil:
			return 0, err
		case c.CachedInfo().PushBound:
			n++
		case time.Since(c.CachedInfo().Created) > time.Second:
			_ = s.DeleteConsumer(ctx, name) // gone already is fine too
		}
	}
	return n, names.Err()
}

func (h *Hub) subscription(member string, data []byte) (jetstream.ConsumerConfig, error) {
	mou := h.MoU()
	me, ok := mou.Member(member)
	if !ok || me.Suspended {
		return jetstream.ConsumerConfig{}, fmt.Errorf("member %q is not active", member)
	}
	var req wire.SubscribeRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return jetstream.ConsumerConfig{}, fmt.Errorf("subscribe request: %v", err)
	}
	if !sessionRE.MatchString(req.Session) {
		return jetstream.ConsumerConfig{}, fmt.Errorf("subscribe request: /session: want 1 to 64 of [A-Za-z0-9_-]")
	}
	engine := h.policy.Engine()
	filters := h.scopes.inboxFilters(engine.ScopeMembers(), engine.ScopeSenders(), member)
	if len(req.TLP) > 0 {
		var narrowed []string
		for i, l := range req.TLP {
			if _, err := l.MarshalText(); err != nil || l == tlp.None {
				return jetstream.ConsumerConfig{}, fmt.Errorf("subscribe request: /tlp/%d: want clear, green, amber, amber+strict or red", i)
			}
			for _, f := range filters {
				narrowed = append(narrowed, strings.Replace(f, wire.ShareSubject("*", ""), wire.ShareSubject(l.String(), ""), 1))
			}
		}
		filters = narrowed
	}
	cfg := jetstream.ConsumerConfig{
		Name: subscriptionPrefix(member) + nuid.Next(), DeliverSubject: wire.DeliverSubject(member, req.Session),
		FilterSubjects: filters, AckPolicy: jetstream.AckNonePolicy, DeliverPolicy: jetstream.DeliverNewPolicy,
		InactiveThreshold: subscriptionIdle, IdleHeartbeat: 5 * time.Second,
		Description: "real-time view of member " + member,
	}
	startAt(&cfg, req)
	return cfg, nil
}

// clampToFloor keeps a subscription from starting before the member's
// inbox filters took effect: what was shared before it joined, or before it
// joined a community, was not routed to it.
func (h *Hub) clampToFloor(ctx context.Context, member string, cfg *jetstream.ConsumerConfig) error {
	c, err := h.js.Consumer(ctx, wire.StreamShare, wire.InboxConsumer(member))
	if err != nil {
		h.log.Error("subscribe: inbox consumer", "member", member, "err", err)
		return fmt.Errorf("the hub could not create the subscription")
	}
	md := c.CachedInfo().Config.Metadata
	floorSeq, err1 := strconv.ParseUint(md[metaFloorSeq], 10, 64)
	floorTime, err2 := time.Parse(time.RFC3339Nano, md[metaFloorTime])
	if err1 != nil || err2 != nil {
		// No floor recorded: only new shares (fail closed).
		cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = jetstream.DeliverNewPolicy, 0, nil
		return nil
	}
	switch cfg.DeliverPolicy {
	case jetstream.DeliverByStartSequencePolicy:
		cfg.OptStartSeq = max(cfg.OptStartSeq, floorSeq)
	case jetstream.DeliverByStartTimePolicy:
		if cfg.OptStartTime.Before(floorTime) {
			cfg.OptStartTime = &floorTime
		}
	}
	return nil
}

// services are the hub's request/reply handlers.
type services struct{ subs []*nats.Subscription }

func (s *services) stop() {
	for _, sub := range s.subs {
		_ = sub.Drain()
	}
}

func (h *Hub) startServices(_ context.Context) (*services, error) {
	s := &services{}
	sub, err := h.nc.QueueSubscribe(wire.SubscribeService("*"), "geneva-hub", h.serve("subscribe", h.serveSubscribe))
	if err != nil {
		return nil, fmt.Errorf("subscribe service: %w", err)
	}
	s.subs = append(s.subs, sub)
	sub, err = h.nc.QueueSubscribe(wire.ReceiptsService("*"), "geneva-hub", h.serve("receipts", h.serveReceipts))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("receipts service: %w", err)
	}
	s.subs = append(s.subs, sub)
	// Review requests are handled one at a time (one worker), so two
	// operators acting on one submission are serialised.
	sub, err = h.nc.QueueSubscribe(wire.SubjectReviewService, "geneva-hub", h.serveQueued("review", serialWorkers, h.serveReview))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("review service: %w", err)
	}
	s.subs = append(s.subs, sub)
	sub, err = h.nc.QueueSubscribe(wire.SubjectDirectory, "geneva-hub", h.serve("directory", directory.Handler(h.directoryMembers)))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("directory service: %w", err)
	}
	s.subs = append(s.subs, sub)
	sub, err = h.nc.QueueSubscribe(wire.SubmittedService("*"), "geneva-hub", h.serve("submitted", h.serveSubmitted))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("submitted service: %w", err)
	}
	s.subs = append(s.subs, sub)
	sub, err = h.nc.QueueSubscribe(wire.MoUService("*"), "geneva-hub", h.serve("mou", h.serveMoU))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("mou service: %w", err)
	}
	s.subs = append(s.subs, sub)
	if h.cfg.JWTAccounts {
		sub, err = h.nc.QueueSubscribe(wire.MemberAdminService("*"), "geneva-hub", h.serve("memberadmin", h.serveMemberAdmin))
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("member admin service: %w", err)
		}
		s.subs = append(s.subs, sub)
	}
	gate, err := h.startGate()
	if err != nil {
		s.stop()
		return nil, err
	}
	s.subs = append(s.subs, gate...)
	return s, nil
}

// directoryMembers is what the directory shows: the active members of the
// MoU in force (suspended members neither send nor receive).
func (h *Hub) directoryMembers() []directory.Member {
	var out []directory.Member
	for _, m := range h.MoU().Members {
		if m.Suspended {
			continue
		}
		out = append(out, directory.Member{ID: m.ID, Name: m.Name, Type: string(m.Type),
			Jurisdiction: m.Jurisdiction, Sectors: m.Sectors, Communities: m.Communities, Identity: m.Identity,
			Contact: directory.Contact{Desk: m.Contact.Desk, Phone: m.Contact.Phone,
				Email: m.Contact.Email, Languages: m.Contact.Languages}})
	}
	return out
}

// startAt starts a view where req asks: at a stream sequence, at a time,
// or (the default) with what arrives next.
func startAt(cfg *jetstream.ConsumerConfig, req wire.SubscribeRequest) {
	switch {
	case req.StartSeq > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, req.StartSeq
	case !req.Since.IsZero():
		since := req.Since.UTC()
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
}
