package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxAttempts bounds how often Append re-reads the tail after losing a race
// to another appender. Each lost race means someone else's record got in, so
// this only trips under pathological contention.
const maxAttempts = 1000

// Log appends records to the audit stream, keeping one linear chain however
// many Logs (goroutines, workers, processes) append at once.
//
// Every append is an optimistic write: it names the subject's last sequence
// it chained to (Nats-Expected-Last-Subject-Sequence); if another appender
// got there first the server refuses it, and Append re-reads the tail and
// tries again. Nats-Msg-Id makes a retried append of the same record
// harmless. The stream must hold only the audit subject.
type Log struct {
	js      jetstream.JetStream
	stream  jetstream.Stream
	name    string
	subject string

	mu       sync.Mutex // serialises this Log's appends; guards the tail cache
	loaded   bool       // tailSeq and tailHash reflect what the server last told us
	tailSeq  uint64
	tailHash string
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
	l := &Log{js: js, stream: s, name: stream, subject: subject}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.loadTail(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Append sets r.Prev and r.Hash, publishes r with Nats-Msg-Id msgID and
// returns the record as stored. If msgID was already appended (within the
// stream's dedup window), nothing new is written and the stored record is
// returned, so a redelivered decision neither forks nor lengthens the chain.
// A zero r.Time is set to now; times are stored in UTC.
func (l *Log) Append(ctx context.Context, r Record, msgID string) (Record, error) {
	if err := validate(r, msgID); err != nil {
		return Record{}, err
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC().Round(0)

	l.mu.Lock()
	defer l.mu.Unlock()
	for attempt := 1; ; attempt++ {
		if !l.loaded {
			if err := l.loadTail(ctx); err != nil {
				return Record{}, err
			}
		}
		r.Prev = l.tailHash
		r.Hash = r.ComputeHash()
		data, err := json.Marshal(r)
		if err != nil {
			return Record{}, fmt.Errorf("audit: append %q: encode: %w", msgID, err)
		}
		msg := &nats.Msg{Subject: l.subject, Data: data}
		ack, err := l.js.PublishMsg(ctx, msg,
			jetstream.WithMsgID(msgID),
			jetstream.WithExpectStream(l.name),
			jetstream.WithExpectLastSequencePerSubject(l.tailSeq))
		if err != nil {
			// Whatever happened, the tail may have moved (a timed-out publish
			// may still have been stored): re-read it before the next try.
			l.loaded = false
			if isWrongLastSequence(err) && attempt < maxAttempts {
				continue
			}
			return Record{}, fmt.Errorf("audit: append %q: %w", msgID, err)
		}
		if ack.Duplicate {
			stored, err := l.get(ctx, ack.Sequence)
			if err != nil {
				return Record{}, fmt.Errorf("audit: append %q: duplicate of sequence %d: %w", msgID, ack.Sequence, err)
			}
			return stored, nil
		}
		l.tailSeq, l.tailHash = ack.Sequence, r.Hash
		return r, nil
	}
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
	m, err := l.stream.GetLastMsgForSubject(ctx, l.subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		l.tailSeq, l.tailHash, l.loaded = 0, "", true
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit: read tail of %q: %w", l.name, err)
	}
	r, err := decodeRecord(m.Data)
	if err != nil {
		return fmt.Errorf("audit: read tail of %q: sequence %d: %w", l.name, m.Sequence, err)
	}
	l.tailSeq, l.tailHash, l.loaded = m.Sequence, r.ComputeHash(), true
	return nil
}

func (l *Log) get(ctx context.Context, seq uint64) (Record, error) {
	m, err := l.stream.GetMsg(ctx, seq)
	if err != nil {
		return Record{}, err
	}
	return decodeRecord(m.Data)
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
