package taxii

import (
	"sync"
	"time"
)

// Limits bound each member's use of the TAXII API, like the NATS limits
// bound its connections: a token bucket of requests and one of POSTed
// bytes per member. Zero values take the defaults.
type Limits struct {
	RequestsPerSecond float64 `yaml:"requests_per_second"` // default 200, bursts of twice that
	BytesPerSecond    int64   `yaml:"bytes_per_second"`    // POST bodies; default 64 MiB/s, bursts of twice that
}

func (l Limits) withDefaults() Limits {
	if l.RequestsPerSecond <= 0 {
		l.RequestsPerSecond = 200
	}
	if l.BytesPerSecond <= 0 {
		l.BytesPerSecond = 64 << 20
	}
	return l
}

type limiter struct {
	cfg  Limits
	rate float64

	mu      sync.Mutex
	buckets map[string]*buckets
}

type buckets struct {
	reqs, bytes float64
	at          time.Time
}

func newLimiter(l Limits) *limiter {
	l = l.withDefaults()
	return &limiter{cfg: l, rate: l.RequestsPerSecond, buckets: map[string]*buckets{}}
}

// refill brings member's buckets to now; mu held.
func (l *limiter) refill(member string) *buckets {
	now := time.Now()
	b := l.buckets[member]
	if b == nil {
		b = &buckets{reqs: 2 * l.rate, bytes: 2 * float64(l.cfg.BytesPerSecond), at: now}
		l.buckets[member] = b
	}
	dt := now.Sub(b.at).Seconds()
	b.reqs = min(2*l.rate, b.reqs+dt*l.rate)
	b.bytes = min(2*float64(l.cfg.BytesPerSecond), b.bytes+dt*float64(l.cfg.BytesPerSecond))
	b.at = now
	return b
}

// allow takes one request from member's bucket.
func (l *limiter) allow(member string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(member)
	if b.reqs < 1 {
		return false
	}
	b.reqs--
	return true
}

// allowBytes takes n POSTed bytes (unknown length: nothing yet; the
// body's size is capped by max_content_length anyway).
func (l *limiter) allowBytes(member string, n int64) bool {
	if n <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(member)
	if b.bytes < float64(n) {
		return false
	}
	b.bytes -= float64(n)
	return true
}
