// Package quota charges each member's submissions against the quota its
// MoU entry sets (submissions_per_second with submission_burst,
// bytes_per_day).
package quota

import (
	"fmt"
	"sync"
	"time"

	"github.com/genevahub/geneva/policy"
)

// Reason codes of a submission refused for its member's quota (the MoU's
// quota: submissions_per_second with submission_burst, bytes_per_day).
const (
	CodeRate  policy.Code = "quota.rate"
	CodeBytes policy.Code = "quota.bytes_per_day"
)

// Limiter charges each member's submissions against its quota: in
// the hub's submission gate (hub/gate.go) before they are stored (on a
// cluster the gates share hub's sharedQuota instead), and, for
// submissions no gate admitted, in the deciding process (the hub and each
// worker node keep their own). Time is the
// receive time of the submission, so a backlog decided later is judged
// as it arrived.
type Limiter struct {
	mu      sync.Mutex
	members map[string]*usage
}

type usage struct {
	tokens float64   // submissions allowed now (the burst refills at the rate)
	last   time.Time // receive time the tokens were computed at
	day    int64     // the UTC day bytes counts, in days since 1970
	bytes  int
}

// SecondsPerDay turns a Unix time into its UTC day number.
const SecondsPerDay = 24 * 60 * 60

// NewLimiter charges nothing yet.
func NewLimiter() *Limiter { return &Limiter{members: map[string]*usage{}} }

// Admit charges one submission of size bytes received at t to member
// under q; over quota it charges nothing and returns the reason code and
// the receipt's message.
func (l *Limiter) Admit(member string, q policy.Quota, size int, t time.Time) (policy.Code, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.members[member]
	if u == nil {
		u = &usage{tokens: float64(q.SubmissionBurst), last: t}
		l.members[member] = u
	}
	if dt := t.Sub(u.last); dt > 0 {
		u.tokens = min(float64(q.SubmissionBurst), u.tokens+dt.Seconds()*float64(q.SubmissionsPerSecond))
		u.last = t
	}
	if day := t.Unix() / SecondsPerDay; day != u.day { // a number, not a formatted date: this runs for every submission
		u.day, u.bytes = day, 0
	}
	switch {
	case u.tokens < 1:
		return CodeRate, RefusalWhy(CodeRate, q), true
	case u.bytes+size > q.BytesPerDay:
		return CodeBytes, RefusalWhy(CodeBytes, q), true
	}
	u.tokens--
	u.bytes += size
	return "", "", false
}

// RefusalWhy is the receipt's message for a refusal with code under q.
func RefusalWhy(code policy.Code, q policy.Quota) string {
	if code == CodeRate {
		return fmt.Sprintf("over this member's quota of %d submissions per second (burst %d); nothing was shared, submit again later",
			q.SubmissionsPerSecond, q.SubmissionBurst)
	}
	return fmt.Sprintf("over this member's quota of %d submitted bytes per UTC day; nothing was shared", q.BytesPerDay)
}
