package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// idleTimeout is how long Verify waits for the next record before deciding
// the server has stalled.
const idleTimeout = 10 * time.Second

// readHeartbeat is how often the server tells the reader it is alive: a
// reader that hears nothing for twice this replaces its consumer. On a
// cluster the new consumer's first pull is sometimes lost (likely
// answered "no responders" when it beats the consumer's subscription to
// the reader's node) and never repeated; with the client's default of 15 s the read then
// failed after idleTimeout, about 1 verify in 40.
const readHeartbeat = time.Second

// VerifyResult describes the chain as far as it verified.
type VerifyResult struct {
	Records  uint64 // records that verified
	FirstSeq uint64 // stream sequence of the first record
	LastSeq  uint64 // stream sequence of the last record that verified
	Head     string // Hash of that record; "" for an empty log
}

// Verify reads stream from its first message to the last one present when it
// starts and checks, for every record, that no sequence is missing, that it
// decodes strictly, that Hash matches its canonical bytes and that Prev is
// the hash of the record before it ("" for the first). It returns the
// records verified so far and, if the chain does not hold, a
// *BrokenLinkError naming the first broken link. Records appended while it
// runs are left for the next run.
func Verify(ctx context.Context, js jetstream.JetStream, stream string) (VerifyResult, error) {
	var res VerifyResult
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return res, fmt.Errorf("audit: verify: stream %q: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return res, fmt.Errorf("audit: verify: stream %q: %w", stream, err)
	}
	st := info.State
	if st.Msgs == 0 {
		if st.LastSeq > 0 {
			return res, missing(1, st.LastSeq)
		}
		return res, nil
	}
	if st.FirstSeq > 1 {
		return res, missing(1, st.FirstSeq-1)
	}

	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return res, fmt.Errorf("audit: verify: read stream %q: %w", stream, err)
	}
	it, err := cons.Messages(jetstream.PullHeartbeat(readHeartbeat))
	if err != nil {
		return res, fmt.Errorf("audit: verify: read stream %q: %w", stream, err)
	}
	defer it.Stop()
	stopOnCancel := context.AfterFunc(ctx, it.Stop)
	defer stopOnCancel()

	var prevSeq uint64
	for {
		m, err := it.Next(jetstream.NextMaxWait(idleTimeout))
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return res, fmt.Errorf("audit: verify: read stream %q after sequence %d: %w", stream, prevSeq, err)
		}
		meta, err := m.Metadata()
		if err != nil {
			return res, fmt.Errorf("audit: verify: read stream %q after sequence %d: %w", stream, prevSeq, err)
		}
		seq := meta.Sequence.Stream
		if seq != prevSeq+1 {
			return res, missing(prevSeq+1, seq-1)
		}
		r, err := decodeRecord(m.Data())
		if err != nil {
			return res, &BrokenLinkError{Seq: seq, Reason: err.Error()}
		}
		hash := r.ComputeHash()
		if r.Hash != hash {
			return res, &BrokenLinkError{Seq: seq, Reason: fmt.Sprintf(
				"stored hash %s does not match the record's content (hash %s): the record was changed", short(r.Hash), short(hash))}
		}
		if r.Prev != res.Head {
			want := "empty, as the first record"
			if prevSeq > 0 {
				want = fmt.Sprintf("%s, the hash of record %d", short(res.Head), prevSeq)
			}
			return res, &BrokenLinkError{Seq: seq, Reason: fmt.Sprintf("prev is %q, want %s", short(r.Prev), want)}
		}
		if res.Records == 0 {
			res.FirstSeq = seq
		}
		res.Records++
		res.LastSeq, res.Head, prevSeq = seq, hash, seq
		if seq >= st.LastSeq {
			return res, nil
		}
		if meta.NumPending == 0 { // the records after seq were deleted
			return res, missing(seq+1, st.LastSeq)
		}
	}
}

func missing(from, to uint64) error {
	if from == to {
		return &BrokenLinkError{Seq: from, Reason: fmt.Sprintf("record %d is missing (deleted or expired)", from)}
	}
	return &BrokenLinkError{Seq: from, Reason: fmt.Sprintf("records %d to %d are missing (deleted or expired)", from, to)}
}

// short abbreviates a hash for messages; the full values are in the records.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}
