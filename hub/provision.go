package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Provisioning is idempotent: every start (and every MoU reload) creates
// what is missing and updates what changed, keeping messages and consumer
// positions.

// Consumer metadata keys of the visibility floor (see ensureConsumer).
const (
	metaFloorSeq  = "geneva_floor_seq"
	metaFloorTime = "geneva_floor_time"
)

const (
	dedupWindow   = 2 * time.Minute // Nats-Msg-Id window of the shared streams: covers a crash and restart
	workerAckWait = decide.AckWait
)

func (h *Hub) sharedStreams() []jetstream.StreamConfig {
	age := time.Duration(h.cfg.Retention)
	return []jetstream.StreamConfig{
		{Name: wire.StreamShare, Subjects: []string{wire.SubjectShareAll}, Storage: jetstream.FileStorage,
			MaxAge: age, Duplicates: dedupWindow, MaxMsgSize: h.cfg.MaxPayload,
			Description: "accepted parts, one message per (submission, audience)"},
		{Name: wire.StreamReceipt, Subjects: []string{wire.SubjectReceiptAll}, Storage: jetstream.FileStorage,
			MaxAge: age, Duplicates: dedupWindow, Description: "one receipt per submission"},
		{Name: wire.StreamReview, Subjects: []string{wire.SubjectReviewAll}, Storage: jetstream.FileStorage,
			Duplicates: dedupWindow, MaxMsgSize: h.cfg.MaxPayload,
			Description: "submissions held for a human"},
	}
}

// intakeStream is member m's intake; its dedup window is the hub's
// intake_dedup_window (Config.IntakeDedupWindow).
func intakeStream(m string, maxPayload int32, dedup time.Duration) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name: wire.IntakeStream(m), Subjects: []string{wire.SubmitSubject(m)}, Storage: jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy, Duplicates: dedup, MaxMsgSize: maxPayload, // see intake.go
		Description: "submissions of member " + m + " (PubAck = the hub has it)",
	}
}

// provision makes every stream and consumer the engine's MoU calls for,
// after recording its scopes' member sets (see scopes.go).
func (h *Hub) provision(ctx context.Context, engine *policy.Engine) error {
	for _, sc := range h.sharedStreams() {
		if _, err := h.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("provision stream %s: %w", sc.Name, err)
		}
	}
	kv, err := h.hubBucket(ctx)
	if err != nil {
		return err
	}
	share, err := h.js.Stream(ctx, wire.StreamShare)
	if err != nil {
		return fmt.Errorf("provision: %w", err)
	}
	scopes, senders := engine.ScopeMembers(), engine.ScopeSenders()
	if err := h.scopes.record(ctx, kv, share, scopes); err != nil {
		return err
	}
	for _, m := range engine.MoU().Members {
		if err := h.provisionMember(ctx, scopes, senders, m.ID); err != nil {
			return err
		}
	}
	return nil
}

func (h *Hub) provisionMember(ctx context.Context, scopes, senders map[string][]string, m string) error {
	s, err := h.js.CreateOrUpdateStream(ctx, intakeStream(m, h.cfg.MaxPayload, time.Duration(h.cfg.IntakeDedupWindow)))
	if err != nil {
		return fmt.Errorf("provision intake of %s: %w", m, err)
	}
	if _, err := s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: wire.ConsumerWorker, AckPolicy: jetstream.AckExplicitPolicy, AckWait: workerAckWait,
		MaxDeliver: -1, MaxAckPending: 10000, Description: "the policy workers",
	}); err != nil {
		return fmt.Errorf("provision worker consumer of %s: %w", m, err)
	}
	if err := h.ensureConsumer(ctx, wire.StreamShare, jetstream.ConsumerConfig{
		Durable: wire.InboxConsumer(m), FilterSubjects: h.scopes.inboxFilters(scopes, senders, m),
		AckPolicy: jetstream.AckExplicitPolicy, DeliverPolicy: jetstream.DeliverNewPolicy,
		MaxDeliver: -1, Description: "what policy routed to member " + m,
	}); err != nil {
		return err
	}
	return h.ensureConsumer(ctx, wire.StreamReceipt, jetstream.ConsumerConfig{
		Durable: wire.ReceiptConsumer(m), FilterSubject: wire.ReceiptSubject(m),
		AckPolicy: jetstream.AckExplicitPolicy, DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxDeliver: -1, Description: "receipts of member " + m,
	})
}

// ensureConsumer creates a consumer, or updates only its filters when it
// exists: its position (and its original deliver policy) stay, so a filter
// change applies from then on.
func (h *Hub) ensureConsumer(ctx context.Context, stream string, want jetstream.ConsumerConfig) error {
	s, err := h.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("provision consumer %s: %w", want.Durable, err)
	}
	// The floor is where the filters took effect: a real-time subscription
	// never starts before it, so a member cannot replay what was shared
	// before it joined (or joined a community).
	floor := func(md map[string]string) map[string]string {
		if md == nil {
			md = map[string]string{}
		}
		md[metaFloorSeq] = strconv.FormatUint(s.CachedInfo().State.LastSeq+1, 10)
		md[metaFloorTime] = time.Now().UTC().Format(time.RFC3339Nano)
		return md
	}
	c, err := s.Consumer(ctx, want.Durable)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		want.Metadata = floor(want.Metadata)
		if _, err = s.CreateConsumer(ctx, want); errors.Is(err, jetstream.ErrConsumerExists) {
			err = nil // another hub process on the cluster made it first (cluster.go)
		}
	case err == nil:
		have := c.CachedInfo().Config
		if slices.Equal(have.FilterSubjects, want.FilterSubjects) && have.FilterSubject == want.FilterSubject {
			return nil
		}
		have.FilterSubjects, have.FilterSubject = want.FilterSubjects, want.FilterSubject
		have.Metadata = floor(have.Metadata)
		_, err = s.UpdateConsumer(ctx, have)
	}
	if err != nil {
		return fmt.Errorf("provision consumer %s on %s: %w", want.Durable, stream, err)
	}
	return nil
}
