package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/cputime"
)

// phase is one load on a setup: n one-indicator GREEN bundles from the
// sender, each delivered to the four receiving members.
type phase struct {
	prefix  string
	warmup  int // submissions whose latency is not counted (the first second)
	bundles [][]byte
	index   map[string]int // indicator id → submission
}

func newPhase(prefix string, n, warmup int) *phase {
	p := &phase{prefix: prefix, warmup: warmup, bundles: make([][]byte, n), index: make(map[string]int, n)}
	for i := range n {
		key := fmt.Sprintf("%s-%d", prefix, i)
		p.bundles[i] = crashtest.GreenBundle(key)
		p.index[crashtest.IndicatorID(key)] = i
	}
	return p
}

// which is the submission a delivered bundle belongs to (-1: none).
func (p *phase) which(data []byte) int {
	const prefix = "indicator--"
	k := bytes.Index(data, []byte(prefix))
	if k < 0 || k+len(prefix)+36 > len(data) {
		return -1
	}
	if i, ok := p.index[string(data[k:k+len(prefix)+36])]; ok {
		return i
	}
	return -1
}

// result is one phase's figures.
type result struct {
	perSecond float64         // submissions delivered to all four members per second
	latencies []time.Duration // sorted: each delivery's arrival minus its submission's due time
	cpu       []time.Duration // per hub process (cgroup), over the phase
	throttled []int64         // CFS periods each hub process was held back
	decided   []int           // receipts each hub process stored
	rest      time.Duration   // CPU of this process: the 3 servers and the members
	elapsed   time.Duration
}

// run offers the phase's submissions (rate 0: all at once, up to the
// PubAck window; else paced to rate per second) and waits up to limit
// until every member has each one and every receipt is stored.
func (s *setup) run(p *phase, rate int, limit time.Duration) (result, error) {
	n := len(p.bundles)
	ctx := context.Background()
	info, err := s.operator.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return result{}, err
	}
	firstReceipt := info.CachedInfo().State.LastSeq + 1
	var mu sync.Mutex
	var lats []time.Duration
	got, done := 0, make(chan struct{})
	var start time.Time
	interval := time.Duration(0)
	if rate > 0 {
		interval = time.Second / time.Duration(rate)
	}
	onDelivery := func(data []byte, at time.Time) {
		k := p.which(data)
		if k < 0 {
			return // an earlier phase's
		}
		mu.Lock()
		defer mu.Unlock()
		if k >= p.warmup {
			lats = append(lats, at.Sub(start)-time.Duration(k)*interval)
		}
		if got++; got == n*len(s.receivers) {
			close(done)
		}
	}
	cpu0, thr0, err := s.cpuNow()
	if err != nil {
		return result{}, err
	}
	rest0 := cputime.Process()
	start = time.Now()
	s.onDelivery.Store(&onDelivery) // after start: the store orders it before every read
	defer s.onDelivery.Store(nil)
	for i, b := range p.bundles {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait) // pacing to the offered rate
		}
		if _, err := s.submit.PublishMsgAsync(wire.SubmitMsg(sender, b, wire.SubmitOptions{MsgID: fmt.Sprintf("%s-%d", p.prefix, i)}),
			jetstream.WithStallWait(time.Minute)); err != nil {
			return result{}, fmt.Errorf("publish: %w", err)
		}
	}
	select {
	case <-done:
	case <-time.After(limit):
		mu.Lock()
		defer mu.Unlock()
		return result{}, fmt.Errorf("%d of %d deliveries after %v", got, n*len(s.receivers), limit)
	}
	res := result{elapsed: time.Since(start), rest: cputime.Process() - rest0}
	res.perSecond = float64(n) / res.elapsed.Seconds()
	cpu1, thr1, err := s.cpuNow()
	if err != nil {
		return result{}, err
	}
	for i := range s.hubs {
		res.cpu = append(res.cpu, cpu1[i]-cpu0[i])
		res.throttled = append(res.throttled, thr1[i]-thr0[i])
	}
	if res.decided, err = s.decidedBy(firstReceipt, n, limit); err != nil {
		return result{}, err
	}
	mu.Lock()
	res.latencies = slices.Sorted(slices.Values(lats))
	mu.Unlock()
	return res, nil
}

// consume reads every receiving member's inbox until the setup closes,
// acking each delivery and passing it to the current phase.
func (s *setup) consume() error {
	for i, js := range s.receivers {
		c, err := js.Consumer(context.Background(), wire.StreamShare, wire.InboxConsumer(receivingMembers[i]))
		if err != nil {
			return fmt.Errorf("%s: %w", receivingMembers[i], err)
		}
		cc, err := c.Consume(func(m jetstream.Msg) {
			at := time.Now()
			_ = m.Ack()
			if f := s.onDelivery.Load(); f != nil {
				(*f)(m.Data(), at)
			}
		}, jetstream.PullMaxMessages(1000))
		if err != nil {
			return fmt.Errorf("%s: %w", receivingMembers[i], err)
		}
		s.consumers = append(s.consumers, cc)
	}
	return nil
}

// cpuNow reads each hub process's CPU used and times throttled so far.
func (s *setup) cpuNow() ([]time.Duration, []int64, error) {
	var cpu []time.Duration
	var thr []int64
	for _, h := range s.hubs {
		u, err := h.group.usage()
		if err != nil {
			return nil, nil, err
		}
		t, err := h.group.throttled()
		if err != nil {
			return nil, nil, err
		}
		cpu, thr = append(cpu, u), append(thr, t)
	}
	return cpu, thr, nil
}

// idleCores is each hub process's CPU, in cores, over d with no load.
func (s *setup) idleCores(d time.Duration) ([]float64, error) {
	cpu0, _, err := s.cpuNow()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	time.Sleep(d) // the span measured
	cpu1, _, err := s.cpuNow()
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start).Seconds()
	var idle []float64
	for i := range cpu0 {
		idle = append(idle, (cpu1[i]-cpu0[i]).Seconds()/elapsed)
	}
	return idle, nil
}

// decidedBy counts the n receipts from sequence first on by the hub
// process that stored each (HeaderDecidedBy), waiting up to limit.
func (s *setup) decidedBy(first uint64, n int, limit time.Duration) ([]int, error) {
	deadline := time.Now().Add(limit)
	c, err := s.operator.OrderedConsumer(context.Background(), wire.StreamReceipt, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: first, HeadersOnly: true})
	if err != nil {
		return nil, err
	}
	counts := make([]int, len(s.hubs))
	var unknown []string
	for seen := 0; seen < n; {
		batch, err := c.Fetch(min(1000, n-seen), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, err
		}
		for m := range batch.Messages() {
			seen++
			id := m.Headers().Get(wire.HeaderDecidedBy)
			k := slices.IndexFunc(s.hubs, func(h *hubProc) bool { return h.id == id })
			if k < 0 {
				unknown = append(unknown, id)
				continue
			}
			counts[k]++
		}
		if seen < n && time.Now().After(deadline) {
			return nil, fmt.Errorf("receipts: %d of %d after %v (%v)", seen, n, limit, batch.Error())
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("receipts: %d decided by no hub process of this setup (%q…)", len(unknown), unknown[0])
	}
	return counts, nil
}

// pct is the p-quantile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}
