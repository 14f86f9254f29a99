package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/genevahub/geneva/policy"
)

// Reason codes of a submission refused for its member's quota (the MoU's
// quota: submissions_per_second with submission_burst, bytes_per_day).
const (
	CodeQuotaRate  policy.Code = "quota.rate"
	CodeQuotaBytes policy.Code = "quota.bytes_per_day"
)

// quotaLimiter charges each member's submissions against its quota: in
// the hub's submission gate (gate.go) before they are stored (on a
// cluster the gates share a sharedQuota instead), and, for submissions
// no gate admitted, in the deciding process (the hub and each worker
// node keep their own). Time is the
// receive time of the submission, so a backlog decided later is judged
// as it arrived.
type quotaLimiter struct {
	mu      sync.Mutex
	members map[string]*usage
}

type usage struct {
	tokens float64   // submissions allowed now (the burst refills at the rate)
	last   time.Time // receive time the tokens were computed at
	day    int64     // the UTC day bytes counts, in days since 1970
	bytes  int
}

const secondsPerDay = 24 * 60 * 60

func newQuotaLimiter() *quotaLimiter { return &quotaLimiter{members: map[string]*usage{}} }

// admit charges one submission of size bytes received at t to member
// under q; over quota it charges nothing and returns the reason code and
// the receipt's message.
func (l *quotaLimiter) admit(member string, q policy.Quota, size int, t time.Time) (policy.Code, string, bool) {
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
	if day := t.Unix() / secondsPerDay; day != u.day { // a number, not a formatted date: this runs for every submission
		u.day, u.bytes = day, 0
	}
	switch {
	case u.tokens < 1:
		return CodeQuotaRate, refusalWhy(CodeQuotaRate, q), true
	case u.bytes+size > q.BytesPerDay:
		return CodeQuotaBytes, refusalWhy(CodeQuotaBytes, q), true
	}
	u.tokens--
	u.bytes += size
	return "", "", false
}

// refusalWhy is the receipt's message for a refusal with code under q.
func refusalWhy(code policy.Code, q policy.Quota) string {
	if code == CodeQuotaRate {
		return fmt.Sprintf("over this member's quota of %d submissions per second (burst %d); nothing was shared, submit again later",
			q.SubmissionsPerSecond, q.SubmissionBurst)
	}
	return fmt.Sprintf("over this member's quota of %d submitted bytes per UTC day; nothing was shared", q.BytesPerDay)
}

// refusal is the decision for a submission refused for its quota: a
// rejection with the reason, a receipt and an audit record like any other.
func refusal(host workerHost, member string, bundle []byte, code policy.Code, why string) policy.Decision {
	sum := sha256.Sum256(bundle)
	return policy.Decision{Verdict: policy.Reject, Sender: member, Digest: hex.EncodeToString(sum[:]),
		PolicyVersion: host.mou().Partnership.Version, Reasons: []policy.Reason{{Code: code, Message: why}}}
}
