package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
)

// ledger is everything the soak offered and saw, by message id.
type ledger struct {
	mu          sync.Mutex
	offered     map[string]time.Time // msg id → when it was due (the steady schedule)
	sender      map[string]string    // msg id → member
	byInd       map[string]string    // indicator id → msg id
	acked       map[string]bool
	receipts    map[string]map[uint64]bool            // msg id → GENEVA_RECEIPT sequences of its receipts
	submission  map[string]string                     // submission id → msg id (from the receipts)
	delivered   map[string]map[string]map[uint64]bool // member → msg id → GENEVA_SHARE sequences of its shares
	redelivered map[string]int                        // member → a stored share seen again (its ack was lost with the hub)
	latency     []delivery
	strays      []string
}

type delivery struct {
	due time.Time
	d   time.Duration
}

func newLedger() *ledger {
	return &ledger{offered: map[string]time.Time{}, sender: map[string]string{}, byInd: map[string]string{},
		acked: map[string]bool{}, receipts: map[string]map[uint64]bool{}, submission: map[string]string{},
		delivered: map[string]map[string]map[uint64]bool{}, redelivered: map[string]int{}}
}

// connect opens a connection as member that survives the hub's restarts.
func connect(url, creds string) (*nats.Conn, jetstream.JetStream, error) {
	_, opts, err := wire.MemberOptions(creds, nil)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// offer submits one bundle as member every 1/rate seconds until ctx ends.
// Each is retried with its msg id until PubAcked, by a few publishers, so
// an outage delays submissions (and shows in the latency) but drops none.
func (l *ledger) offer(ctx context.Context, js jetstream.JetStream, member string, rate float64) *sync.WaitGroup {
	queue := make(chan string, 1<<20)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for id := range queue {
				msg := wire.SubmitMsg(member, crashtest.GreenBundle(id), wire.SubmitOptions{MsgID: id})
				for {
					pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					_, err := js.PublishMsg(pctx, msg)
					cancel()
					if err == nil {
						break
					}
					time.Sleep(200 * time.Millisecond) // the hub is down: try again
				}
				l.mu.Lock()
				l.acked[id] = true
				l.mu.Unlock()
			}
		})
	}
	go func() {
		defer close(queue)
		every := time.Duration(float64(time.Second) / rate)
		next := time.Now()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(next)):
			}
			id := fmt.Sprintf("soak-%s-%d", member, i)
			l.mu.Lock()
			l.offered[id], l.sender[id], l.byInd[crashtest.IndicatorID(id)] = next, member, id
			l.mu.Unlock()
			queue <- id
			next = next.Add(every)
		}
	}()
	return &wg
}

// read takes (and acks) everything on member's consumer until ctx ends,
// handing each message to see. Errors (the hub restarting) are retried.
func read(ctx context.Context, js jetstream.JetStream, stream, consumer string, see func(jetstream.Msg)) {
	for ctx.Err() == nil {
		c, err := js.Consumer(ctx, stream, consumer)
		if err != nil {
			time.Sleep(500 * time.Millisecond) // the hub is down
			continue
		}
		for ctx.Err() == nil {
			batch, err := c.Fetch(500, jetstream.FetchMaxWait(time.Second))
			if err != nil {
				break
			}
			for m := range batch.Messages() {
				see(m)
				_ = m.Ack()
			}
			if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
				break
			}
		}
	}
}

func (l *ledger) seeReceipt(m jetstream.Msg) {
	var r wire.Receipt
	meta, err := m.Metadata()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil || json.Unmarshal(m.Data(), &r) != nil {
		l.strays = append(l.strays, "an undecodable receipt")
		return
	}
	l.submission[r.Submission] = r.MsgID
	if !stored(l.receipts, r.MsgID, meta.Sequence.Stream) {
		l.redelivered["receipts"]++
	}
}

// stored notes that seq holds id; false if it was seen before (the
// same stored message again: its ack was lost with a killed hub).
func stored(seen map[string]map[uint64]bool, id string, seq uint64) bool {
	if seen[id] == nil {
		seen[id] = map[uint64]bool{}
	}
	if seen[id][seq] {
		return false
	}
	seen[id][seq] = true
	return true
}

func (l *ledger) seeShare(member string, m jetstream.Msg) {
	now := time.Now()
	id := l.msgIDOf(m.Data())
	l.mu.Lock()
	defer l.mu.Unlock()
	if id == "" {
		l.strays = append(l.strays, member+": a share of no offered submission")
		return
	}
	meta, err := m.Metadata()
	if err != nil {
		l.strays = append(l.strays, member+": a share without metadata")
		return
	}
	if l.delivered[member] == nil {
		l.delivered[member] = map[string]map[uint64]bool{}
	}
	if l.delivered[member][id] == nil {
		l.latency = append(l.latency, delivery{due: l.offered[id], d: now.Sub(l.offered[id])})
	}
	if !stored(l.delivered[member], id, meta.Sequence.Stream) {
		l.redelivered[member]++
	}
}

// msgIDOf finds the offered submission a bundle carries, by its indicator.
func (l *ledger) msgIDOf(bundle []byte) string {
	var b struct{ Objects []struct{ Type, ID string } }
	_ = json.Unmarshal(bundle, &b)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, o := range b.Objects {
		if o.Type == "indicator" {
			return l.byInd[o.ID]
		}
	}
	return ""
}
