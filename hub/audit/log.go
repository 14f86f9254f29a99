package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	// maxAttempts bounds how often one batch re-reads the tail after losing
	// a race to another appender. Every lost race means someone else's
	// record got in, so this only trips under pathological contention.
	maxAttempts = 1000
	// maxBatch bounds how many queued records one leader publishes at once.
	maxBatch = 256
	// readTimeout bounds one read of the stream (the tail, a duplicate).
	readTimeout = 5 * time.Second
)

// Log appends records to the audit stream, keeping one linear chain however
// many Logs (goroutines, workers, processes) append at once.
//
// Every publish is an optimistic write that names its predecessor: the
// subject's last sequence (Nats-Expected-Last-Subject-Sequence) and, inside
// a batch, the predecessor's Nats-Msg-Id (Nats-Expected-Last-Msg-Id). If
// another appender got in first the server refuses it, and the Log re-reads
// the tail and tries again. Nats-Msg-Id makes a retried append of the same
// record harmless.
//
// Concurrent Appends on one Log are combined: whoever holds the leader slot
// publishes everything queued so far asynchronously and waits for the
// PubAcks, so throughput grows with the number of concurrent callers instead
// of being one round trip per record; on a replicated stream, one record at
// a time (oneInFlight).
//
// The stream must hold only the audit subject. Lock order: leader, then qmu.
type Log struct {
	js      jetstream.JetStream
	stream  jetstream.Stream
	name    string
	subject string

	leader chan struct{} // capacity 1: held while committing a batch; guards the tail cache and scratch

	qmu   sync.Mutex // guards queue
	queue []*pending

	scratch []byte // where records are encoded before their exact-size copy
	// oneInFlight: on a replicated stream, publish one record at a time and
	// never send Nats-Expected-Last-Msg-Id. A replica that caught up from
	// the leader (after a restart) keeps a stale last msg id in nats-server
	// 2.15, so the next record that names one fails there and the replica
	// stops for good ("stream write error: last msgid mismatch"); the
	// expected subject sequence alone fences one record in flight.
	oneInFlight bool
	// atomic: with oneInFlight, send two or more queued records as one
	// atomic batch (atomic.go) when the stream allows it.
	atomic    bool
	loaded    bool // the tail fields reflect what the server last told us
	tailSeq   uint64
	tailHash  string
	tailMsgID string
}

// pending is one queued Append. done is closed once res or err is final.
type pending struct {
	r     Record
	msgID string
	res   Record
	err   error
	done  chan struct{}
}

func (p *pending) finish(r Record, err error) {
	p.res, p.err = r, err
	close(p.done)
}

// Open returns a Log on stream (created with StreamConfig if it does not
// exist) appending to subject.
func Open(ctx context.Context, js jetstream.JetStream, stream, subject string) (*Log, error) {
	if stream == "" || subject == "" {
		return nil, errors.New("audit: open: stream and subject are required")
	}
	s, err := js.Stream(ctx, stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, StreamConfig(stream, subject))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another process won the race
			s, err = js.Stream(ctx, stream)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("audit: open stream %q: %w", stream, err)
	}
	if cfg := s.CachedInfo().Config; cfg.Replicas > 1 && !cfg.AllowAtomicPublish {
		// An audit stream from before atomic batches: allow them. If the
		// server refuses (before 2.12), the Log appends one at a time.
		cfg.AllowAtomicPublish = true
		if updated, err := js.UpdateStream(ctx, cfg); err == nil {
			s = updated
		}
	}
	l := &Log{js: js, stream: s, name: stream, subject: subject, leader: make(chan struct{}, 1),
		oneInFlight: s.CachedInfo().Config.Replicas > 1}
	l.atomic = l.oneInFlight && s.CachedInfo().Config.AllowAtomicPublish
	if err := l.loadTail(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Append sets r.Prev and r.Hash, publishes r with Nats-Msg-Id msgID and
// returns the record as stored. If msgID was already appended (within the
// stream's dedup window, see StreamConfig), nothing new is written and the
// stored record is returned, so a redelivered decision neither forks nor
// lengthens the chain. A zero r.Time is set to now; times are stored in UTC.
//
// Callers that may append the same msgID from two places at the same time
// (a redelivery overtaking a slow worker) should make the record a pure
// function of what they decide, Time included (for example the time the
// submission was received): two appenders then write identical records and
// the chain cannot tell them apart.
//
// If ctx ends before the PubAck, Append returns ctx's error; the record may
// still be appended, and retrying with the same msgID is harmless.
func (l *Log) Append(ctx context.Context, r Record, msgID string) (Record, error) {
	if err := validate(r, msgID); err != nil {
		return Record{}, err
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC().Round(0)

	p := &pending{r: r, msgID: msgID, done: make(chan struct{})}
	l.qmu.Lock()
	l.queue = append(l.queue, p)
	l.qmu.Unlock()
	for {
		select {
		case <-p.done:
			return p.res, p.err
		case l.leader <- struct{}{}:
			l.lead(ctx, p)
			<-l.leader
		case <-ctx.Done():
			l.withdraw(p)
			return Record{}, fmt.Errorf("audit: append %q: %w", msgID, ctx.Err())
		}
	}
}

// lead commits up to maxBatch queued records (the caller holds the leader
// slot). Records left unfinished because the leader's ctx ended go back to
// the front of the queue for their own callers, except the leader's own.
func (l *Log) lead(ctx context.Context, own *pending) {
	l.qmu.Lock()
	n := min(len(l.queue), maxBatch)
	batch := l.queue[:n:n]
	l.queue = append([]*pending(nil), l.queue[n:]...) // a fresh array: batch keeps the old one
	l.qmu.Unlock()
	if len(batch) == 0 {
		return
	}
	leftover := l.commit(ctx, batch)
	if len(leftover) == 0 {
		return
	}
	keep := leftover[:0]
	for _, p := range leftover {
		if p == own {
			p.finish(Record{}, fmt.Errorf("audit: append %q: %w", p.msgID, ctx.Err()))
			continue
		}
		keep = append(keep, p)
	}
	l.qmu.Lock()
	l.queue = append(keep, l.queue...)
	l.qmu.Unlock()
}

// withdraw takes p off the queue if no leader has taken it yet.
func (l *Log) withdraw(p *pending) {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	for i, q := range l.queue {
		if q == p {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			return
		}
	}
}

// commit appends batch in order, finishing every record it can and
// returning those it could not finish because ctx ended.
func (l *Log) commit(ctx context.Context, batch []*pending) []*pending {
	singly := false // an atomic batch was refused for one of its records
	for lost := 0; len(batch) > 0; {
		if ctx.Err() != nil {
			return batch
		}
		if !l.loaded {
			if err := l.loadTail(ctx); err != nil {
				if ctx.Err() != nil {
					return batch
				}
				for _, p := range batch {
					p.finish(Record{}, err)
				}
				return nil
			}
		}
		if l.atomic && !singly && len(batch) > 1 {
			switch l.attemptAtomic(ctx, batch) {
			case atomicStored:
				return nil
			case atomicSingly:
				singly = true
			case atomicRetry:
				if lost++; lost >= maxAttempts {
					return l.giveUp(batch, lost)
				}
			}
			continue
		}
		send, later := batch, []*pending(nil)
		if l.oneInFlight {
			send, later = batch[:1], batch[1:]
		}
		retry, leftover := l.attempt(ctx, send)
		if len(leftover) > 0 {
			return append(append(leftover, retry...), later...)
		}
		if len(retry) > 0 {
			if lost++; lost >= maxAttempts {
				return l.giveUp(append(retry, later...), lost)
			}
		}
		batch = append(retry, later...)
	}
	return nil
}

// giveUp fails batch after losing the race for the tail lost times.
func (l *Log) giveUp(batch []*pending, lost int) []*pending {
	for _, p := range batch {
		p.finish(Record{}, fmt.Errorf("audit: append %q: lost the race for the tail %d times", p.msgID, lost))
	}
	return nil
}

// attempt publishes batch chained onto the cached tail and sorts the
// outcome: finished records, records to retry on a fresh tail (refused
// because the tail moved), and records left unfinished because ctx ended.
func (l *Log) attempt(ctx context.Context, batch []*pending) (retry, leftover []*pending) {
	type sent struct {
		p      *pending
		r      Record
		future jetstream.PubAckFuture
	}
	out := make([]sent, 0, len(batch))
	seq, prevHash, prevID := l.tailSeq, l.tailHash, l.tailMsgID
	for i, p := range batch {
		r := p.r
		r.Prev = prevHash
		r.Hash = r.ComputeHash()
		enc, err := r.appendJSON(l.scratch[:0])
		l.scratch = enc[:0]
		if err != nil {
			p.finish(Record{}, fmt.Errorf("audit: append %q: encode: %w", p.msgID, err))
			retry = append(retry, batch[i+1:]...) // they were chained onto this one
			break
		}
		// The headers the publish options would set, as one map literal:
		// fewer allocations on a path every decision takes.
		hdr := nats.Header{
			jetstream.MsgIDHeader:               {p.msgID},
			jetstream.ExpectedStreamHeader:      {l.name},
			jetstream.ExpectedLastSubjSeqHeader: {strconv.FormatUint(seq, 10)},
		}
		if i > 0 { // the predecessor is our own record, not yet acknowledged
			hdr[jetstream.ExpectedLastMsgIDHeader] = []string{prevID}
		}
		data := bytes.Clone(enc) // exactly its size: the client keeps it until the PubAck
		f, err := l.js.PublishMsgAsync(&nats.Msg{Subject: l.subject, Data: data, Header: hdr})
		if err != nil { // e.g. too many publishes in flight: try the rest later
			retry = append(retry, batch[i:]...)
			break
		}
		out = append(out, sent{p: p, r: r, future: f})
		seq, prevHash, prevID = seq+1, r.Hash, p.msgID
	}

	// diverged: an earlier record of this attempt is not where we predicted,
	// so a later success must be checked against what really precedes it.
	diverged := len(out) < len(batch)
	for i, s := range out {
		var ack *jetstream.PubAck
		select {
		case ack = <-s.future.Ok():
		case err := <-s.future.Err():
			diverged = true
			// A PubAck that timed out (jetstream.WithPublishAsyncTimeout)
			// was lost, e.g. with the stream's leader on a cluster: the
			// record may or may not be stored, and a retry finds out (its
			// msg id and expected tail sequence cannot store it twice).
			if isConflict(err) || errors.Is(err, jetstream.ErrAsyncPublishTimeout) {
				retry = append(retry, s.p)
			} else {
				s.p.finish(Record{}, fmt.Errorf("audit: append %q: %w", s.p.msgID, err))
			}
			continue
		case <-ctx.Done():
			l.loaded = false
			for _, rest := range out[i:] {
				leftover = append(leftover, rest.p)
			}
			return retry, leftover
		}
		if ack.Duplicate {
			diverged = true
			stored, err := l.get(ctx, ack.Sequence)
			if err != nil {
				err = fmt.Errorf("audit: append %q: duplicate of sequence %d: %w", s.p.msgID, ack.Sequence, err)
			}
			s.p.finish(stored, err)
			continue
		}
		if diverged {
			if err := l.checkPrev(ctx, ack.Sequence, s.r); err != nil {
				s.p.finish(Record{}, fmt.Errorf("audit: append %q: %w", s.p.msgID, err))
				continue
			}
		}
		s.p.finish(s.r, nil)
		l.tailSeq, l.tailHash, l.tailMsgID = ack.Sequence, s.r.Hash, s.p.msgID
	}
	if diverged {
		l.loaded = false
	}
	return retry, nil
}

// checkPrev confirms that the record stored at seq-1 is the one r chains
// onto. It only runs after a surprise earlier in the same batch; a mismatch
// means another appender stored a different record under the same msgID at
// the same moment (see Append) and the chain is broken at seq.
func (l *Log) checkPrev(ctx context.Context, seq uint64, r Record) error {
	if seq <= 1 {
		return nil
	}
	prev, err := l.get(ctx, seq-1)
	if err != nil {
		return fmt.Errorf("check the record before sequence %d: %w", seq, err)
	}
	if prev.ComputeHash() != r.Prev {
		return &BrokenLinkError{Seq: seq, Reason: "a different record with the same msg id was appended concurrently"}
	}
	return nil
}

func validate(r Record, msgID string) error {
	switch {
	case msgID == "":
		return fmt.Errorf("%w: msgID is required, so a retried append is harmless", ErrInvalidRecord)
	case r.Action == "":
		return fmt.Errorf("%w %q: action is required", ErrInvalidRecord, msgID)
	case r.Digest != "" && !isHexSHA256(r.Digest):
		return fmt.Errorf("%w %q: digest: want 64 lower-case hex digits, got %d characters", ErrInvalidRecord, msgID, len(r.Digest))
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// loadTail reads the last record on the subject. Prev of the next record is
// the recomputed hash of that record's canonical bytes.
func (l *Log) loadTail(ctx context.Context) error {
	// Bounded: a read sent to a stream leader that dies is never answered,
	// and the caller's context may be long (a decision's 30 s).
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	m, err := l.read(ctx, 0, l.subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		l.tailSeq, l.tailHash, l.tailMsgID, l.loaded = 0, "", "", true
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit: read tail of %q: %w", l.name, err)
	}
	r, err := decodeRecord(m.Data)
	if err != nil {
		return fmt.Errorf("audit: read tail of %q: sequence %d: %w", l.name, m.Sequence, err)
	}
	l.tailSeq, l.tailHash, l.tailMsgID, l.loaded = m.Sequence, r.ComputeHash(), m.Header.Get(nats.MsgIdHdr), true
	return nil
}

func (l *Log) get(ctx context.Context, seq uint64) (Record, error) {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	m, err := l.read(ctx, seq, "")
	if err != nil {
		return Record{}, err
	}
	return decodeRecord(m.Data)
}

// isConflict reports a refusal because the tail was not what we named:
// another record got in first, or one of ours did not land where predicted.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case jetstream.JSErrCodeStreamWrongLastSequence, jetstream.JSErrCodeStreamWrongLastSequenceConstant, codeWrongLastMsgID:
		return true
	}
	return false
}

// codeWrongLastMsgID is nats-server's JSStreamWrongLastMsgIDErrF
// ("wrong last msg ID"), which nats.go has no constant for.
const codeWrongLastMsgID jetstream.ErrorCode = 10070
