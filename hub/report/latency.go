package report

import (
	"math"
	"math/bits"
	"time"
)

// latency is a fixed-size histogram of millisecond delays: exact below 256
// ms, then 128 sub-buckets per power of two (under 0.4% error at a bucket's
// midpoint). Its size never depends on the number of values.
type latency struct {
	buckets        [latencyBuckets]int64
	bins           [9]int64 // one per displayBins entry
	n, sum         int64    // sum in ms; int64 ms overflows after 292 million years of delay
	min, max       int64
	noCreated, neg int64
}

const latencyBuckets = 256 + 56*128

// displayBins are the bars of the report's histogram.
var displayBins = []struct {
	label        string
	lower, upper time.Duration // upper 0: unbounded
}{
	{"< 1 min", 0, time.Minute},
	{"1-5 min", time.Minute, 5 * time.Minute},
	{"5-15 min", 5 * time.Minute, 15 * time.Minute},
	{"15 min-1 h", 15 * time.Minute, time.Hour},
	{"1-6 h", time.Hour, 6 * time.Hour},
	{"6-24 h", 6 * time.Hour, 24 * time.Hour},
	{"1-7 days", 24 * time.Hour, 7 * 24 * time.Hour},
	{"7-30 days", 7 * 24 * time.Hour, 30 * 24 * time.Hour},
	{">= 30 days", 30 * 24 * time.Hour, 0},
}

func (l *latency) add(created, received time.Time) {
	if created.IsZero() {
		l.noCreated++
		return
	}
	d := received.Sub(created)
	if d < 0 {
		l.neg++
		return
	}
	ms := d.Milliseconds()
	l.buckets[bucketOf(ms)]++
	for i, b := range displayBins {
		if d >= b.lower && (b.upper == 0 || d < b.upper) {
			l.bins[i]++
			break
		}
	}
	if l.n == 0 || ms < l.min {
		l.min = ms
	}
	if ms > l.max {
		l.max = ms
	}
	l.n++
	l.sum += ms
}

func (l *latency) merge(o *latency) {
	for i := range l.buckets {
		l.buckets[i] += o.buckets[i]
	}
	for i := range l.bins {
		l.bins[i] += o.bins[i]
	}
	if o.n > 0 && (l.n == 0 || o.min < l.min) {
		l.min = o.min
	}
	l.max = max(l.max, o.max)
	l.n += o.n
	l.sum += o.sum
	l.noCreated += o.noCreated
	l.neg += o.neg
}

func bucketOf(ms int64) int {
	v := uint64(ms)
	if v < 256 {
		return int(v)
	}
	shift := bits.Len64(v) - 8
	return 256 + (shift-1)*128 + int(v>>shift) - 128
}

// bucketMid is the middle of bucket i in ms.
func bucketMid(i int) float64 {
	if i < 256 {
		return float64(i)
	}
	shift := (i-256)/128 + 1
	lower := uint64((i-256)%128+128) << shift
	return float64(lower) + float64(uint64(1)<<shift)/2
}

// percentile is the nearest-rank p-th percentile in seconds.
func (l *latency) percentile(p float64) float64 {
	if l.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(p*float64(l.n))), 1)
	var seen int64
	for i, c := range l.buckets {
		seen += c
		if seen >= rank {
			// Clamp to the exact extremes so p0/p100 are exact.
			return math.Min(math.Max(bucketMid(i), float64(l.min)), float64(l.max)) / 1000
		}
	}
	return float64(l.max) / 1000
}

func (l *latency) result() TimeToShare {
	t := TimeToShare{Objects: l.n, NoCreated: l.noCreated, Negative: l.neg}
	if l.n > 0 {
		t.MinSeconds = float64(l.min) / 1000
		t.MaxSeconds = float64(l.max) / 1000
		t.MeanSeconds = float64(l.sum) / float64(l.n) / 1000
		t.P50Seconds = l.percentile(0.50)
		t.P90Seconds = l.percentile(0.90)
		t.P95Seconds = l.percentile(0.95)
		t.P99Seconds = l.percentile(0.99)
	}
	t.Histogram = make([]Bin, len(displayBins))
	for i, b := range displayBins {
		t.Histogram[i] = Bin{Label: b.label, Lower: b.lower.Seconds(), Upper: b.upper.Seconds(), Objects: l.bins[i]}
	}
	return t
}
