package main

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/internal/cputime"
)

// throughputResult is one sustained-rate run: every submission offered at
// once (up to asyncWindow PubAcks outstanding) until all parts arrived.
type throughputResult struct {
	perSecond float64 // submissions fully delivered (4 parts) per second
	cpuMicros float64 // process CPU (user+system) per submission
}

func measureThroughput(sys *system, w *workload) (throughputResult, error) {
	n := len(w.bundles)
	d := newDeliveries(n * len(sys.receivers))
	defer consume(sys, w, func(int, time.Time) { d.add() })()
	cpu0, start := cputime.Process(), time.Now()
	if err := publishAll(sys, w, nil); err != nil {
		return throughputResult{}, err
	}
	if err := d.wait(5 * time.Minute); err != nil {
		return throughputResult{}, fmt.Errorf("%s: %w", sys.name, err)
	}
	elapsed, cpu := time.Since(start), cputime.Process()-cpu0
	return throughputResult{perSecond: float64(n) / elapsed.Seconds(), cpuMicros: float64(cpu) / float64(n) / 1e3}, nil
}

// latencyResult is a fixed offered rate: submission i is due at
// start + i/rate, and each part's latency is its arrival at a receiving
// member minus that due time (so a publisher falling behind counts too).
type latencyResult struct {
	p50, p99, p999, max time.Duration
	samples             int
	cpuMicros           float64
}

func measureLatency(sys *system, w *workload, rate, warmup int) (latencyResult, error) {
	n := len(w.bundles)
	interval := time.Second / time.Duration(rate)
	d := newDeliveries(n * len(sys.receivers))
	lats := make([]time.Duration, n*len(sys.receivers))
	var k atomic.Int64
	var start time.Time
	ready := make(chan struct{})
	stop := consume(sys, w, func(i int, at time.Time) {
		<-ready
		if i >= warmup {
			lats[k.Add(1)-1] = at.Sub(start) - time.Duration(i)*interval
		}
		d.add()
	})
	defer stop()
	cpu0 := cputime.Process()
	start = time.Now()
	close(ready)
	if err := publishAll(sys, w, func(i int) {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait) // pacing to the offered rate
		}
	}); err != nil {
		return latencyResult{}, err
	}
	if err := d.wait(2 * time.Minute); err != nil {
		return latencyResult{}, fmt.Errorf("%s: %w", sys.name, err)
	}
	cpu := cputime.Process() - cpu0
	got := lats[:k.Load()]
	if len(got) == 0 {
		return latencyResult{}, fmt.Errorf("%s: no latency samples", sys.name)
	}
	slices.Sort(got)
	pct := func(p float64) time.Duration { return got[min(len(got)-1, int(p*float64(len(got))))] }
	return latencyResult{p50: pct(0.50), p99: pct(0.99), p999: pct(0.999), max: got[len(got)-1],
		samples: len(got), cpuMicros: float64(cpu) / float64(n) / 1e3}, nil
}

// publishAll offers every submission of w, calling pace(i) before each
// (nil: as fast as the PubAck window allows), and waits for all PubAcks.
func publishAll(sys *system, w *workload, pace func(i int)) error {
	for i, b := range w.bundles {
		if pace != nil {
			pace(i)
		}
		if _, err := sys.submit.PublishMsgAsync(sys.msg(fmt.Sprintf("%s-%d", w.prefix, i), b),
			jetstream.WithStallWait(time.Minute)); err != nil {
			return fmt.Errorf("%s: publish: %w", sys.name, err)
		}
	}
	select {
	case <-sys.submit.PublishAsyncComplete():
		return nil
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("%s: %d PubAcks missing after 2 minutes", sys.name, sys.submit.PublishAsyncPending())
	}
}
