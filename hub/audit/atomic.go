package audit

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Atomic batches (nats-server 2.12+, a stream with allow_atomic): on a
// replicated stream the Log sends the records it has queued as one atomic
// batch whose first message names the tail it chains onto
// (Nats-Expected-Last-Subject-Sequence). The stream stores all of them, in
// order, right after that tail, or none: one round trip per batch, the
// same fence as one record at a time, and no Nats-Expected-Last-Msg-Id
// (see Log.oneInFlight). Two processes racing for the tail lose whole
// batches to each other, so the winner appends many records per race.

const (
	hdrBatchID     = "Nats-Batch-Id"
	hdrBatchSeq    = "Nats-Batch-Sequence"
	hdrBatchCommit = "Nats-Batch-Commit"
	// commitTimeout bounds the wait for a batch's PubAck (above a RAFT
	// leader election, as the hub's cluster connection's PubAck timeout).
	commitTimeout = 5 * time.Second
)

// codeAtomicDisabled is nats-server's JSAtomicPublishDisabledErr.
const codeAtomicDisabled jetstream.ErrorCode = 10174

// atomicOutcome is what became of one atomic batch.
type atomicOutcome int

const (
	atomicStored atomicOutcome = iota // every record stored and finished
	atomicRetry                       // the tail moved, or the answer was lost: re-read the tail, send it again
	atomicSingly                      // refused for one of its records: append them one at a time
)

// batchAck is the PubAck of an atomic batch's commit.
type batchAck struct {
	Seq   uint64              `json:"seq"`
	Batch string              `json:"batch"`
	Count int                 `json:"count"`
	Error *jetstream.APIError `json:"error"`
}

// attemptAtomic sends batch (two or more records) as one atomic batch
// chained onto the cached tail.
func (l *Log) attemptAtomic(ctx context.Context, batch []*pending) atomicOutcome {
	nc := l.js.Conn()
	id := nuid.Next()
	recs := make([]Record, len(batch))
	prev := l.tailHash
	var commit *nats.Msg
	for i, p := range batch {
		r := p.r
		r.Prev = prev
		r.Hash = r.ComputeHash()
		data, err := r.appendJSON(nil)
		if err != nil {
			return atomicSingly // one at a time reports it for this record alone
		}
		recs[i], prev = r, r.Hash
		m := nats.NewMsg(l.subject)
		m.Data = data
		m.Header.Set(jetstream.MsgIDHeader, p.msgID)
		m.Header.Set(jetstream.ExpectedStreamHeader, l.name)
		m.Header.Set(hdrBatchID, id)
		m.Header.Set(hdrBatchSeq, strconv.Itoa(i+1))
		if i == 0 {
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(l.tailSeq, 10))
		}
		if i == len(batch)-1 {
			m.Header.Set(hdrBatchCommit, "1")
			commit = m
		} else if err := nc.PublishMsg(m); err != nil {
			l.loaded = false
			return atomicRetry
		}
	}
	rctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	reply, err := nc.RequestMsgWithContext(rctx, commit)
	var ack batchAck
	if err == nil {
		err = json.Unmarshal(reply.Data, &ack)
	}
	if err != nil { // lost with a leader, or ctx ended: a retry or the duplicates tell
		l.loaded = false
		return atomicRetry
	}
	switch {
	case ack.Error == nil && ack.Batch == id && ack.Count == len(batch):
		for i, p := range batch {
			p.finish(recs[i], nil)
		}
		last := len(batch) - 1
		l.tailSeq, l.tailHash, l.tailMsgID = ack.Seq, recs[last].Hash, batch[last].msgID
		return atomicStored
	case ack.Error != nil && isConflict(ack.Error):
		l.loaded = false
		return atomicRetry
	default: // a duplicate, a lost message, atomic batches off, or something unforeseen
		l.loaded = false
		if ack.Error != nil && ack.Error.ErrorCode == codeAtomicDisabled {
			l.atomic = false
		}
		return atomicSingly
	}
}
