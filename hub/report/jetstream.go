package report

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/valyala/fastjson"
	"golang.org/x/sync/errgroup"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jspull"
	"github.com/genevahub/geneva/policy/tlp"
)

// JetStreamSource reads the hub's own streams, for a hub running without
// Kafka. It applies the archive's rules, so it reports what the archive
// would hold: only parts marked Geneva-Archive "true" (never TLP:RED), one
// object share per object, the well-known TLP marking definitions left out.
// The streams keep what their limits allow; the archive keeps more.
type JetStreamSource struct {
	JS          jetstream.JetStream // with the hub operator's credentials
	ShareStream string              // default GENEVA_SHARE
	AuditStream string              // default GENEVA_AUDIT
}

// Name is "jetstream".
func (JetStreamSource) Name() string { return "jetstream" }

// Scan reads both streams up to their last sequence at the start.
func (s JetStreamSource) Scan(ctx context.Context, newAgg func() *Aggregator, p *Progress) (*Aggregator, error) {
	share, auditStream := s.ShareStream, s.AuditStream
	if share == "" {
		share = wire.StreamShare
	}
	if auditStream == "" {
		auditStream = wire.StreamAudit
	}
	shareAgg, auditAgg := newAgg(), newAgg()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.read(gctx, share, p, shareParts(shareAgg)) })
	g.Go(func() error { return s.read(gctx, auditStream, p, auditEntries(auditAgg)) })
	err := g.Wait()
	shareAgg.Merge(auditAgg)
	return shareAgg, err
}

type handler func(jetstream.Msg)

func (s JetStreamSource) read(ctx context.Context, stream string, p *Progress, h handler) error {
	st, err := s.JS.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("jetstream stream %s: %w", stream, err)
	}
	info := st.CachedInfo()
	last := info.State.LastSeq
	p.Total.Add(int64(info.State.Msgs))
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := s.JS.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return fmt.Errorf("jetstream stream %s: consumer: %w", stream, err)
	}
	// A short heartbeat: on a cluster the first pull of a new ordered
	// consumer can be lost, and nats.go's default would sit 10 s on it.
	it, err := cons.Messages(jspull.Messages(jetstream.PullMaxMessages(512))...)
	if err != nil {
		return fmt.Errorf("jetstream stream %s: %w", stream, err)
	}
	defer it.Stop()
	go func() { <-ctx.Done(); it.Stop() }()
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return fmt.Errorf("jetstream stream %s: reading stopped early", stream)
			}
			return fmt.Errorf("jetstream stream %s: %w", stream, err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("jetstream stream %s: %w", stream, err)
		}
		p.Records.Add(1)
		p.Bytes.Add(int64(len(msg.Data())))
		h(msg)
		if meta.Sequence.Stream >= last {
			return nil
		}
	}
}

func auditEntries(agg *Aggregator) handler {
	var rec audit.Record
	return func(msg jetstream.Msg) {
		if auditOf(msg.Data(), &rec) != nil {
			agg.Unreadable(len(msg.Data()))
			return
		}
		agg.AddAudit(&rec, len(msg.Data()))
	}
}

// shareParts turns each archivable part into object shares.
func shareParts(agg *Aggregator) handler {
	var (
		bundle fastjson.Parser
		op     ObjectParser
		obj    Object
		raw    []byte
	)
	return func(msg jetstream.Msg) {
		h := msg.Headers()
		if h.Get(wire.HeaderArchive) != "true" || h.Get(wire.HeaderTLP) == "red" {
			return
		}
		received, ok := parseReceived(h.Get(wire.HeaderReceived))
		v, err := bundle.ParseBytes(msg.Data())
		if !ok || err != nil {
			agg.Unreadable(len(msg.Data()))
			return
		}
		positions, err := archivePositions(h.Get(wire.HeaderArchiveObjects))
		if err != nil {
			agg.Unreadable(len(msg.Data()))
			return
		}
		for i, o := range v.GetArray("objects") {
			if positions != nil && !positions[i] {
				continue // another message of the part archives it
			}
			id := string(o.GetStringBytes("id"))
			if string(o.GetStringBytes("type")) == "marking-definition" {
				if _, known := tlp.LevelOfID(id); known {
					continue
				}
			}
			raw = o.MarshalTo(raw[:0])
			obj = Object{Received: received, TLP: h.Get(wire.HeaderTLP), Sender: h.Get(wire.HeaderSender),
				Audience: h.Get(wire.HeaderAudience)}
			if op.Parse(raw, &obj) != nil {
				agg.Unreadable(len(raw))
				continue
			}
			agg.AddObject(&obj)
		}
	}
}

// archivePositions reads Geneva-Archive-Objects: the positions in the
// part's "objects" that this message archives; nil (absent) means all.
func archivePositions(header string) (map[int]bool, error) {
	if header == "" {
		return nil, nil
	}
	out := map[int]bool{}
	for f := range strings.SplitSeq(header, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s %q: not a list of positions", wire.HeaderArchiveObjects, header)
		}
		out[n] = true
	}
	return out, nil
}
