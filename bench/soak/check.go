package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/kafka-go"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/wire"
)

// check is one line of the verdict.
type check struct {
	what, got string
	ok        bool
}

func countCheck(what string, problems []string, n int) check {
	if len(problems) == 0 {
		return check{what: what, got: fmt.Sprintf("%d, each exactly once", n), ok: true}
	}
	return check{what: what, got: fmt.Sprintf("%d problem(s), first: %s", len(problems), problems[0])}
}

// expected is how many shares each member should get: every PubAcked
// submission of the other senders.
func (l *ledger) expected() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	want := map[string]int{}
	for id := range l.acked {
		for _, m := range append(readers, connected) {
			if l.sender[id] != m {
				want[m]++
			}
		}
	}
	return want
}

// complete: a receipt for every PubAcked submission, every share the
// readers expect.
func (l *ledger) complete(want map[string]int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.receipts) < len(l.acked) {
		return false
	}
	for _, m := range readers {
		if len(l.delivered[m]) < want[m] {
			return false
		}
	}
	return true
}

func (l *ledger) checks(want map[string]int) []check {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []check{{what: "offered = PubAcked", got: fmt.Sprintf("%d offered, %d PubAcked", len(l.offered), len(l.acked)),
		ok: len(l.offered) == len(l.acked)}}
	var problems []string
	for id := range l.acked {
		if n := len(l.receipts[id]); n != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d receipts stored", id, n))
		}
	}
	for id := range l.receipts {
		if !l.acked[id] {
			problems = append(problems, id+": a receipt for nothing submitted")
		}
	}
	out = append(out, redeliveries(countCheck("receipts", problems, len(l.receipts)), l.redelivered["receipts"]))
	for _, m := range readers {
		problems = problems[:0]
		for id := range l.acked {
			if n := len(l.delivered[m][id]); n != btoi(l.sender[id] != m) {
				problems = append(problems, fmt.Sprintf("%s stored for it %d times", id, n))
			}
		}
		for id := range l.delivered[m] {
			if !l.acked[id] || l.sender[id] == m {
				problems = append(problems, id+": not for it")
			}
		}
		out = append(out, redeliveries(countCheck("deliveries to "+m, problems, want[m]), l.redelivered[m]))
	}
	if len(l.strays) > 0 {
		out = append(out, check{what: "strays", got: fmt.Sprintf("%d, first: %s", len(l.strays), l.strays[0])})
	}
	return out
}

// redeliveries notes the stored messages a reader got again because its
// ack was lost with a killed hub (at-least-once consumption: a reader
// drops them by stream sequence or submission id).
func redeliveries(c check, n int) check {
	if n > 0 {
		c.got += fmt.Sprintf(" (+%d redelivered after a lost ack)", n)
	}
	return c
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkConnector: the dir sink holds one file per share routed to the
// connector's member (a redelivery rewrites the same file, so the sink
// cannot count copies; the connector acks only after the write).
func (s *system) checkConnector(l *ledger, want int) check {
	entries, err := os.ReadDir(s.sinkDir)
	if err != nil {
		return check{what: "deliveries to " + connected + " (connector, dir sink)", got: err.Error()}
	}
	seen := map[string]int{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(s.sinkDir, e.Name()))
		if err == nil {
			seen[l.msgIDOf(data)]++
		}
	}
	var problems []string
	l.mu.Lock()
	for id := range l.acked {
		if l.sender[id] != connected && seen[id] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d files", id, seen[id]))
		}
	}
	l.mu.Unlock()
	if len(entries) != want {
		problems = append(problems, fmt.Sprintf("%d files for %d shares", len(entries), want))
	}
	return countCheck("deliveries to "+connected+" (connector, dir sink)", problems, want)
}

// checkAudit waits for a record per submission, verifies the chain and
// finds exactly one decision per submission.
func (s *system) checkAudit(l *ledger) check {
	const what = "audit records"
	_, js, err := connect(s.natsURL, wire.CredsPath(s.dataDir, wire.OperatorName))
	if err != nil {
		return check{what: what, got: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stream, err := js.Stream(ctx, wire.StreamAudit)
	if err != nil {
		return check{what: what, got: "stream: " + err.Error()}
	}
	l.mu.Lock()
	n := len(l.acked)
	l.mu.Unlock()
	waitFor(3*time.Minute, func() bool {
		info, err := stream.Info(ctx)
		return err == nil && info.State.Msgs >= uint64(n)
	})
	res, err := audit.Verify(ctx, js, wire.StreamAudit)
	if err != nil {
		return check{what: what, got: fmt.Sprintf("chain: %v", err)}
	}
	c, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return check{what: what, got: "reader: " + err.Error()}
	}
	// One streaming pull, not a pull request per record: on a cluster a
	// single request now and then found no responder after a failover.
	it, err := c.Messages()
	if err != nil {
		return check{what: what, got: "reader: " + err.Error()}
	}
	defer it.Stop()
	decisions := map[string]int{}
	for i := range res.Records {
		m, err := it.Next()
		if err != nil {
			return check{what: what, got: fmt.Sprintf("record %d: %v", i+1, err)}
		}
		var r audit.Record
		if json.Unmarshal(m.Data(), &r) == nil && r.Action == "decide" {
			decisions[r.Submission]++
		}
	}
	var problems []string
	l.mu.Lock()
	for sub, id := range l.submission {
		if decisions[sub] != 1 {
			problems = append(problems, fmt.Sprintf("%s (%s): %d decisions", sub, id, decisions[sub]))
		}
	}
	l.mu.Unlock()
	if res.Records != uint64(n) {
		problems = append(problems, fmt.Sprintf("%d records for %d submissions", res.Records, n))
	}
	c2 := countCheck(what, problems, int(res.Records))
	if c2.ok {
		c2.got += ", chain verified"
	}
	return c2
}

// checkArchive waits until the objects topic holds every indicator, then
// reads it all: each indicator exactly once, after dropping late second
// copies by the rule readers apply (docs/archive.md: within a partition,
// a record whose (nats-seq, object index) is not above the last kept one).
func (s *system) checkArchive(l *ledger) check {
	const what = "archive (Kafka objects topic)"
	l.mu.Lock()
	n := len(l.acked)
	l.mu.Unlock()
	var kept map[string]int
	var raw, copies int
	var err error
	waitFor(3*time.Minute, func() bool {
		kept, raw, copies, err = s.readArchive(l)
		return err == nil && len(kept) >= n
	})
	if err != nil {
		return check{what: what, got: err.Error()}
	}
	var problems []string
	l.mu.Lock()
	for id := range l.acked {
		if kept[id] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d records", id, kept[id]))
		}
	}
	l.mu.Unlock()
	if _, ok := kept[""]; ok {
		problems = append(problems, fmt.Sprintf("%d records of no offered submission", kept[""]))
	}
	c := countCheck(what, problems, len(kept))
	c.got += fmt.Sprintf(" (%d records read, %d late copies dropped)", raw, copies)
	return c
}

func (s *system) readArchive(l *ledger) (kept map[string]int, raw, copies int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := kafka.DialLeader(ctx, "tcp", s.brokerAddr, s.objectsTopic, 0)
	if err != nil {
		return nil, 0, 0, err
	}
	defer conn.Close()
	last, err := conn.ReadLastOffset()
	if err != nil {
		return nil, 0, 0, err
	}
	l.mu.Lock()
	byInd := l.byInd
	l.mu.Unlock()
	kept = map[string]int{}
	var lastSeq, lastIdx int64 = -1, -1
	for offset := int64(0); offset < last; {
		if _, err := conn.Seek(offset, kafka.SeekAbsolute); err != nil {
			return nil, 0, 0, err
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		batch := conn.ReadBatch(1, 10<<20)
		for {
			m, err := batch.ReadMessage()
			if err != nil {
				break
			}
			offset = m.Offset + 1
			raw++
			seq, idx := header(m, archive.HeaderSeq), header(m, archive.HeaderIndex)
			if seq < lastSeq || seq == lastSeq && idx <= lastIdx {
				copies++
				continue
			}
			lastSeq, lastIdx = seq, idx
			l.mu.Lock()
			kept[byInd[string(m.Key)]]++
			l.mu.Unlock()
		}
		if err := batch.Close(); err != nil {
			return nil, 0, 0, err
		}
	}
	return kept, raw, copies, nil
}

func header(m kafka.Message, key string) int64 {
	for _, h := range m.Headers {
		if h.Key == key {
			v, _ := strconv.ParseInt(string(h.Value), 10, 64)
			return v
		}
	}
	return -1
}
