package archive

import (
	"context"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// batch is one write call, cut and given its batch-start header by the
// batcher goroutine.
type batch struct {
	msgs []kafka.Message // empty: nothing to write, only archived moves
	// archived is the highest stream sequence whose records are all in
	// this call or an earlier one: archived once this call is written.
	archived uint64
}

// batcher gathers the reader's records while the session's single write
// call is in flight, so that the next call is full and ready the moment
// the current one returns: Kafka does not wait for the bridge, and a busy
// writer does not send half-empty calls. It cuts a call as soon as pending
// holds a whole one and offers it on out, so that the writer takes it
// without waiting for this goroutine to be scheduled; an idle writer asks
// on want instead. Calls are cut by the same rules as always (BatchSize,
// BatchBytes, the batch-start header), in stream order.
type batcher struct {
	p           *pipeline
	tl          tail
	msgs        <-chan message
	pending     []record
	bytes       int    // recordSize of pending, summed
	pendingLast uint64 // seq of the last message whose records are all in pending or cut
	backlog     bool   // the stream held more after pendingLast when it was read
	marked      uint64 // archived of the last batch cut
	next        *batch // cut and not yet taken by the writer
	// spent holds the message arrays of written calls for reuse: at most
	// two calls are alive (one in flight, one cut), and kafka-go copies
	// the messages it keeps, so an array is free once its call returns.
	spent chan []kafka.Message
}

// reuse hands the array of a written call back to the batcher.
func (b *batcher) reuse(msgs []kafka.Message) {
	clear(msgs) // drop the references to the written records
	select {
	case b.spent <- msgs[:0]:
	default:
	}
}

// callArray is an array for a call of n records, reused when one is free.
func (b *batcher) callArray(n int) []kafka.Message {
	select {
	case msgs := <-b.spent:
		if cap(msgs) >= n {
			return msgs[:n]
		}
	default:
	}
	return make([]kafka.Message, n)
}

// serve hands the writer one batch per receive on out, or per send on want
// when none was ready, until ctx ends.
func (b *batcher) serve(ctx context.Context, want <-chan struct{}, out chan<- batch) {
	for {
		if b.next == nil && b.full() {
			c := b.cut()
			b.next = &c
		}
		in, offer := b.msgs, out
		if b.next == nil {
			offer = nil
		} else if b.full() {
			in = nil // a call is ready and another is waiting: let the reader wait too
		}
		var ready batch
		if b.next != nil {
			ready = *b.next
		}
		select {
		case <-ctx.Done():
			return
		case m := <-in:
			b.add(m)
		case offer <- ready:
			b.next = nil
		case <-want:
			if b.next == nil {
				if !b.full() && (len(b.pending) > 0 || b.pendingLast == b.marked) && !b.linger(ctx) {
					return
				}
				c := b.cut()
				b.next = &c
			}
			select {
			case out <- *b.next:
				b.next = nil
			case <-ctx.Done():
				return
			}
		}
	}
}

// backlogLinger bounds how long an idle writer waits for a full call while
// the stream has a backlog (after a restart or an outage): enough for the
// reader to gather a call of a thousand records on a busy machine.
const backlogLinger = 100 * time.Millisecond

// linger fills pending for an idle writer: it blocks for the first record
// (or record-less message), then waits up to BatchTimeout for a fuller
// call, or up to backlogLinger while the stream has a backlog. kafka-go
// waits BatchTimeout for a partial batch anyway, and one full call costs
// one round trip where many small ones cost many: catching up on a
// backlog, a partial call only delays the full one behind it. It returns
// false when ctx ended.
func (b *batcher) linger(ctx context.Context) bool {
	if len(b.pending) == 0 {
		select {
		case <-ctx.Done():
			return false
		case m := <-b.msgs:
			b.add(m)
		}
	}
	start := time.Now()
	timer := time.NewTimer(b.p.cfg.BatchTimeout)
	defer timer.Stop()
	for !b.full() {
		select {
		case <-ctx.Done():
			return false
		case m := <-b.msgs:
			b.add(m)
		case <-timer.C:
			left := backlogLinger - time.Since(start)
			if !b.backlog || left <= 0 {
				return true
			}
			timer.Reset(min(left, b.p.cfg.BatchTimeout))
		}
	}
	return true
}

// full reports whether pending holds at least one whole call.
func (b *batcher) full() bool {
	return len(b.pending) >= b.p.cfg.BatchSize || b.bytes > b.p.cfg.BatchBytes
}

// add appends m's records that the topic does not hold yet.
func (b *batcher) add(m message) {
	for _, r := range m.records {
		if !b.tl.written(r) {
			r.size = recordSize(r.msg)
			b.pending = append(b.pending, r)
			b.bytes += r.size
		}
	}
	b.pendingLast, b.backlog = m.seq, m.more
}

// cut takes the next write call off pending; with nothing pending, a call
// without records that only moves the archived mark.
func (b *batcher) cut() batch {
	if len(b.pending) == 0 {
		b.marked = b.pendingLast
		return batch{archived: b.pendingLast}
	}
	n := b.p.chunk(b.pending)
	c := batch{msgs: b.callArray(n)}
	startHdr := kafka.Header{Key: HeaderBatchStart, Value: []byte(strconv.FormatUint(b.pending[0].pos.seq, 10))}
	for i := range c.msgs {
		c.msgs[i] = b.pending[i].msg
		c.msgs[i].Headers = append(c.msgs[i].Headers, startHdr)
		b.bytes -= b.pending[i].size
	}
	// Move the few records left to the front: the array is reused for
	// every call instead of growing anew behind each cut.
	rest := copy(b.pending, b.pending[n:])
	clear(b.pending[rest:]) // drop the references to cut records
	b.pending = b.pending[:rest]
	if rest == 0 {
		c.archived = b.pendingLast
	} else {
		c.archived = b.pending[0].pos.seq - 1
	}
	b.marked = c.archived
	return c
}

// chunk is how many pending records one write call takes: at most
// BatchSize records and BatchBytes bytes in all, so that each partition
// gets at most one batch per call (kafka-go would otherwise send a second
// batch after a failed first one and leave a gap).
func (p *pipeline) chunk(pending []record) int {
	n, bytes := 0, 0
	for n < len(pending) && n < p.cfg.BatchSize {
		size := pending[n].size
		if n > 0 && bytes+size > p.cfg.BatchBytes {
			break
		}
		n++
		bytes += size
	}
	return n
}

// recordSize bounds kafka-go's own estimate (Message.totalSize) from above,
// batch-start header included.
func recordSize(m kafka.Message) int {
	n := 64 + len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += 10 + len(h.Key) + len(h.Value)
	}
	return n
}
