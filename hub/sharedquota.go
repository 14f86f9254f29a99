package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/quota"
	"github.com/genevahub/geneva/policy"
)

// On a cluster every hub process runs the gate in one queue group, and
// NATS hands each submission to any of them: counted by each process on
// its own, a member reached N times its quota with N processes.
// sharedQuota keeps one account per member in BucketQuota that every
// process takes its allowance from, a lease of several submissions and
// bytes at a time (compare-and-set on the key's revision), spent in
// memory until it runs out. So whatever N is, a member's submissions over
// any span are at most its burst plus its rate times the span, plus the
// leases the other processes took and have not spent yet (at most N-1 of
// leaseSubs, none of them refilled twice); its bytes per UTC day are at
// most its quota exactly (a lease is for its day only). It costs a KV
// write per lease, not per submission.

// BucketQuota holds each member's shared quota account (key quota.<member>)
// and its refusals' records (refusals.<member>) on a cluster; only the
// hub's account can reach it.
const BucketQuota = "GENEVA_QUOTA"

// quotaKVTimeout bounds a lease's KV round trips: the gate waits for it.
const quotaKVTimeout = 2 * time.Second

// admitter charges a submission to its member's quota: localQuota in
// one process, sharedQuota across a cluster's. err: the quota could not
// be read; the gate then answers nothing (the client retries).
type admitter interface {
	charge(member string, q policy.Quota, size int, t time.Time) (code policy.Code, why string, err error)
}

// localQuota is one process's quota.Limiter as an admitter.
type localQuota struct{ *quota.Limiter }

func (l localQuota) charge(member string, q policy.Quota, size int, t time.Time) (policy.Code, string, error) {
	code, why, _ := l.Admit(member, q, size, t)
	return code, why, nil
}

type sharedQuota struct {
	kv      jetstream.KeyValue
	account string // the keys' first token: account.<member>
	// spawn runs a refill ahead (refillAhead) on a goroutine the hub owns;
	// false: the hub is stopping, no refill ahead.
	spawn func(func()) bool

	mu     sync.Mutex // held across a lease's KV round trips on the gate's goroutine: one lease at a time
	leases map[string]*lease
}

// lease is what this process took from a member's shared account and
// has not spent yet.
type lease struct {
	subs  int
	bytes int   // for day only
	day   int64 // days since 1970, UTC

	// What the last read of the shared account proved, so that a flood
	// over quota is refused without a KV read per submission: no token
	// before noTokenUntil, at most left bytes of the day (-1: unknown).
	noTokenUntil time.Time
	left         int

	// refill is closed when the refill ahead in flight ends (nil: none):
	// a submission the lease cannot cover waits for it rather than take a
	// second lease.
	refill chan struct{}
}

// quotaAccount is a member's account in BucketQuota: the token bucket
// of its rate, and the bytes of the day, of every process together.
type quotaAccount struct {
	Tokens float64   `json:"tokens"`
	Last   time.Time `json:"last"`
	Day    int64     `json:"day"`
	Bytes  int       `json:"bytes"`
}

// shareAcross makes g's accounts the cluster's: the quota and the
// refusals that get records (so a flood's receipts and audit records are
// bounded for the cluster, not per process).
func (g *gate) shareAcross(ctx context.Context, js jetstream.JetStream) error {
	quota, err := newSharedQuota(ctx, js, "quota")
	if err != nil {
		return err
	}
	recorded, err := newSharedQuota(ctx, js, "refusals")
	if err != nil {
		return err
	}
	quota.spawn, recorded.spawn = g.spawn, g.spawn
	g.quota, g.recorded = quota, recorded
	return nil
}

// newSharedQuota is the shared account named account of every member.
func newSharedQuota(ctx context.Context, js jetstream.JetStream, account string) (*sharedQuota, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: BucketQuota, History: 1, Storage: jetstream.FileStorage,
		Description: "each member's submission quota, shared by the hub processes of a cluster",
	})
	if err != nil {
		return nil, fmt.Errorf("provision %s: %w", BucketQuota, err)
	}
	return &sharedQuota{kv: kv, account: account, leases: map[string]*lease{}, spawn: goSpawn}, nil
}

// goSpawn runs f on a goroutine of its own (tests; the hub's gate uses
// Hub.spawn).
func goSpawn(f func()) bool { go f(); return true }

// leaseSubs and leaseBytes are how much a lease takes beyond what one
// submission needs: a tenth of the burst (and of a second's rate), a
// hundredth of a day's bytes. Small enough that the leases other
// processes hold barely raise a burst; large enough that a member at its
// full rate costs a process about ten KV writes a second.
func leaseSubs(q policy.Quota) int {
	return max(1, min(q.SubmissionBurst, q.SubmissionsPerSecond)/10)
}

func leaseBytes(q policy.Quota) int { return q.BytesPerDay / 100 }

// lowSubs and lowBytes are when a lease runs low: at most a quarter of a
// lease left (a member at its full rate spends that in 25 ms, many KV
// round trips). charge then refills it ahead, in the background, back to
// one lease (never more, so the bounds above hold as they are), and the
// next submissions are charged from memory without waiting for the KV.
// The price: a KV write per three quarters of a lease, not per lease.
func lowSubs(q policy.Quota) int  { return leaseSubs(q) / 4 }
func lowBytes(q policy.Quota) int { return leaseBytes(q) / 4 }

func (s *sharedQuota) charge(member string, q policy.Quota, size int, t time.Time) (policy.Code, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.leases[member]
	if l == nil {
		l = &lease{left: -1}
		s.leases[member] = l
	}
	for {
		if day := t.Unix() / quota.SecondsPerDay; day != l.day {
			l.day, l.bytes, l.left = day, 0, -1
		}
		switch {
		case l.subs < 1 && t.Before(l.noTokenUntil):
			return quota.CodeRate, quota.RefusalWhy(quota.CodeRate, q), nil
		case l.bytes < size && l.left >= 0 && size-l.bytes > l.left:
			return quota.CodeBytes, quota.RefusalWhy(quota.CodeBytes, q), nil
		}
		if l.subs >= 1 && l.bytes >= size {
			break
		}
		if refill := l.refill; refill != nil {
			s.mu.Unlock()
			<-refill // bounded by quotaKVTimeout
			s.mu.Lock()
			continue
		}
		if code, err := s.extend(member, q, size, t, l); code != "" || err != nil {
			return code, quota.RefusalWhy(code, q), err
		}
		break
	}
	l.subs--
	l.bytes -= size
	s.refillAhead(member, q, t, l)
	return "", "", nil
}

// extend takes from member's shared account what l lacks for one more
// submission of size, and a lease more, or says which quota refuses it
// (then nothing is taken).
func (s *sharedQuota) extend(member string, q policy.Quota, size int, t time.Time, l *lease) (policy.Code, error) {
	ctx, cancel := context.WithTimeout(context.Background(), quotaKVTimeout)
	defer cancel()
	var want wanted
	if l.subs < 1 {
		want.needSub, want.subs = true, leaseSubs(q)
	}
	if need := size - l.bytes; need > 0 {
		want.needBytes, want.bytes = need, max(need, leaseBytes(q))
	}
	g, err := s.take(ctx, member, q, t, l.day, want)
	if err != nil {
		return "", err
	}
	l.noTokenUntil = g.noTokenUntil
	l.left = g.left
	l.subs += g.subs
	l.bytes += g.bytes
	return g.code, nil
}

// refillAhead starts, unless one is in flight, a background take of what
// brings l back to one lease when it runs low (lowSubs, lowBytes). What
// it takes is added to l when the KV answers; an error leaves l as it is
// (the next submission the lease cannot cover takes one itself).
func (s *sharedQuota) refillAhead(member string, q policy.Quota, t time.Time, l *lease) {
	if l.refill != nil {
		return
	}
	var want wanted
	if l.subs <= lowSubs(q) && !t.Before(l.noTokenUntil) {
		want.subs = leaseSubs(q) - l.subs
	}
	if l.left != 0 && l.bytes <= lowBytes(q) {
		want.bytes = leaseBytes(q) - l.bytes
	}
	if want.subs <= 0 && want.bytes <= 0 {
		return
	}
	done, day := make(chan struct{}), l.day
	l.refill = done
	refill := func() {
		ctx, cancel := context.WithTimeout(context.Background(), quotaKVTimeout)
		defer cancel()
		g, err := s.take(ctx, member, q, t, day, want)
		s.mu.Lock()
		defer s.mu.Unlock()
		defer close(done)
		l.refill = nil
		if err != nil {
			return
		}
		l.subs += g.subs
		l.noTokenUntil = g.noTokenUntil
		if l.day == day { // the bytes were for that day only
			l.bytes += g.bytes
			l.left = g.left
		}
	}
	if !s.spawn(refill) {
		l.refill = nil
	}
}

// wanted is what to take from a member's shared account: up to subs
// submissions and bytes bytes, refused unless there is one submission
// (needSub) and needBytes bytes.
type wanted struct {
	needSub     bool
	subs, bytes int
	needBytes   int
}

// granted is what a take got: subs and bytes, the bytes left of the day
// after it, and when the account has its next token (zero: it has one
// now); or the quota that refused it (nothing taken).
type granted struct {
	subs, bytes, left int
	noTokenUntil      time.Time
	code              policy.Code
}

// take takes want from member's shared account (compare-and-set on its
// revision) at t, for day.
func (s *sharedQuota) take(ctx context.Context, member string, q policy.Quota, t time.Time, day int64, want wanted) (granted, error) {
	key := s.account + "." + member
	for {
		a, rev, err := s.read(ctx, key, q, t)
		if err != nil {
			return granted{}, fmt.Errorf("%s: %s: %w", BucketQuota, key, err)
		}
		if dt := t.Sub(a.Last); dt > 0 {
			a.Tokens = min(float64(q.SubmissionBurst), a.Tokens+dt.Seconds()*float64(q.SubmissionsPerSecond))
			a.Last = t
		}
		if day > a.Day { // a new day (a process whose clock is behind does not go back to its day)
			a.Day, a.Bytes = day, 0
		}
		g := granted{left: q.BytesPerDay - a.Bytes}
		if a.Tokens < 1 {
			g.noTokenUntil = a.Last.Add(time.Duration((1 - a.Tokens) / float64(q.SubmissionsPerSecond) * float64(time.Second)))
		}
		switch {
		case want.needSub && a.Tokens < 1:
			g.code = quota.CodeRate
			return g, nil
		case want.needBytes > 0 && g.left < want.needBytes:
			g.code = quota.CodeBytes
			return g, nil
		}
		g.subs = min(int(a.Tokens), want.subs)
		g.bytes = max(0, min(g.left, want.bytes))
		if g.subs == 0 && g.bytes == 0 {
			return g, nil
		}
		a.Tokens -= float64(g.subs)
		a.Bytes += g.bytes
		b, _ := json.Marshal(a)
		if rev == 0 {
			_, err = s.kv.Create(ctx, key, b)
		} else {
			_, err = s.kv.Update(ctx, key, b, rev)
		}
		switch {
		case err == nil:
			g.left -= g.bytes
			return g, nil
		case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch):
			continue // another process took a lease meanwhile: read again
		default:
			return granted{}, fmt.Errorf("%s: %s: %w", BucketQuota, key, err)
		}
	}
}

// read is member's shared account and its revision; a new one (revision
// 0) starts with a full burst.
func (s *sharedQuota) read(ctx context.Context, key string, q policy.Quota, t time.Time) (quotaAccount, uint64, error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return quotaAccount{Tokens: float64(q.SubmissionBurst), Last: t}, 0, nil
	}
	if err != nil {
		return quotaAccount{}, 0, err
	}
	var a quotaAccount
	if err := json.Unmarshal(e.Value(), &a); err != nil {
		// Only the hub writes it; start this member afresh rather than stall its submissions.
		return quotaAccount{Tokens: float64(q.SubmissionBurst), Last: t}, e.Revision(), nil
	}
	return a, e.Revision(), nil
}
