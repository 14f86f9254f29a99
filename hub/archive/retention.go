package archive

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// watch updates p's lag and warns before the stream's limits could remove
// messages the bridge has not archived yet: JetStream is the buffer while
// Kafka is down, and a limits-based stream drops its oldest messages first.
func (b *Bridge) watch(ctx context.Context, p *pipeline) {
	t := time.NewTicker(b.cfg.RetentionCheck)
	defer t.Stop()
	for {
		b.checkRetention(ctx, p)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bridge) checkRetention(ctx context.Context, p *pipeline) {
	s, err := b.js.Stream(ctx, p.stream)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("archive: cannot read stream info", "stream", p.stream, "err", err)
		}
		return
	}
	info := s.CachedInfo()
	st, cfg := info.State, info.Config
	// Until the topic's tail was read (Kafka unreachable since start) the
	// position is unknown: assume nothing is archived, so the warning
	// comes early rather than late.
	known := p.ready.Load()
	archived := uint64(0)
	if known {
		archived = p.archived.Load()
	} else if st.FirstSeq > 0 {
		archived = st.FirstSeq - 1
	}
	var lag uint64
	if st.LastSeq > archived {
		lag = st.LastSeq - archived
	}
	if known {
		b.metrics.lag.WithLabelValues(p.stream).Set(float64(lag))
	}
	if lag == 0 || st.Msgs == 0 {
		return
	}
	if known && archived+1 < st.FirstSeq {
		b.log.Error("archive: the stream dropped messages before they were archived", "stream", p.stream,
			"archived_seq", archived, "stream_first_seq", st.FirstSeq)
		return
	}
	// The oldest unarchived message is the next to go when the stream is
	// near a limit; warn while there is still room.
	warn := b.cfg.RetentionWarn
	near := (cfg.MaxMsgs > 0 && float64(st.Msgs) >= warn*float64(cfg.MaxMsgs)) ||
		(cfg.MaxBytes > 0 && float64(st.Bytes) >= warn*float64(cfg.MaxBytes))
	if cfg.MaxAge > 0 {
		if m, err := s.GetMsg(ctx, archived+1); err == nil && time.Since(m.Time) >= time.Duration(warn*float64(cfg.MaxAge)) {
			near = true
		}
	}
	if near && cfg.Discard == jetstream.DiscardOld {
		b.log.Warn("archive: Kafka is behind and the stream is near its retention limit; unarchived messages may be dropped",
			"stream", p.stream, "lag", lag, "archived_seq", archived, "position_known", known, "stream_msgs", st.Msgs, "max_msgs", cfg.MaxMsgs,
			"stream_bytes", st.Bytes, "max_bytes", cfg.MaxBytes, "max_age", cfg.MaxAge)
	}
}
