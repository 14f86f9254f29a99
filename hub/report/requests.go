package report

import (
	"sort"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub/audit"
)

// RequestPair is the law-enforcement request traffic from one requester to
// one recipient, from the request transitions in the audit
// (docs/requests.md). Means are over the requests acknowledged (answered)
// whose opening is in the range too.
type RequestPair struct {
	Requester         string  `json:"requester"`
	Recipient         string  `json:"recipient"`
	Requests          int64   `json:"requests"` // opened in the range
	Acknowledged      int64   `json:"acknowledged"`
	Answered          int64   `json:"answered"`  // fulfilled, partially fulfilled or declined
	Overdue           int64   `json:"overdue"`   // not acknowledged in time, or past the deadline, at least once
	Escalated         int64   `json:"escalated"` // re-sent to the recipient's 24/7 desk
	MeanAckSeconds    float64 `json:"mean_time_to_acknowledge_seconds"`
	MeanAnswerSeconds float64 `json:"mean_time_to_answer_seconds"`
}

// requestTrack is what the audit says of one request with one recipient.
type requestTrack struct {
	requester, recipient    string
	opened, acked, answered time.Time
	overdue, escalated      bool
}

// maxRequestTracks bounds the requests followed; past it new ones are not.
const maxRequestTracks = 1 << 17

// addRequest folds one request transition (action "request.<event>";
// member the requester, the route's audience the recipient).
func (a *Aggregator) addRequest(r *audit.Record) {
	if len(r.Routes) != 1 || len(r.Routes[0].Audience) != 1 {
		return
	}
	recipient := r.Routes[0].Audience[0]
	key := r.Submission + "/" + recipient
	t := a.requests[key]
	if t == nil {
		if len(a.requests) >= maxRequestTracks {
			return
		}
		t = &requestTrack{requester: r.Member, recipient: recipient}
		a.requests[key] = t
	}
	at := r.Time
	switch strings.TrimPrefix(r.Action, "request.") {
	case "opened":
		t.opened = earliest(t.opened, at)
	case "acknowledged", "extension-requested":
		t.acked = earliest(t.acked, at)
	case "fulfilled", "partially-fulfilled", "declined":
		t.acked, t.answered = earliest(t.acked, at), earliest(t.answered, at)
	case "escalated":
		t.escalated, t.overdue = true, true
	case "deadline-passed":
		t.overdue = true
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// mergeRequests folds o's request tracks into a's.
func (a *Aggregator) mergeRequests(o *Aggregator) {
	for k, t := range o.requests {
		mine := a.requests[k]
		if mine == nil {
			c := *t
			a.requests[k] = &c
			continue
		}
		mine.opened, mine.acked, mine.answered = earliest(mine.opened, t.opened), earliest(mine.acked, t.acked), earliest(mine.answered, t.answered)
		mine.overdue, mine.escalated = mine.overdue || t.overdue, mine.escalated || t.escalated
	}
}

// requestPairs sums the tracks per (requester, recipient), sorted.
func (a *Aggregator) requestPairs() []RequestPair {
	type sums struct {
		pair              RequestPair
		ackN, answerN     int64
		ackSum, answerSum time.Duration
	}
	by := map[[2]string]*sums{}
	for _, t := range a.requests {
		if t.opened.IsZero() {
			continue // opened before the range
		}
		k := [2]string{t.requester, t.recipient}
		s := by[k]
		if s == nil {
			s = &sums{pair: RequestPair{Requester: t.requester, Recipient: t.recipient}}
			by[k] = s
		}
		s.pair.Requests++
		if !t.acked.IsZero() {
			s.pair.Acknowledged++
			s.ackN, s.ackSum = s.ackN+1, s.ackSum+t.acked.Sub(t.opened)
		}
		if !t.answered.IsZero() {
			s.pair.Answered++
			s.answerN, s.answerSum = s.answerN+1, s.answerSum+t.answered.Sub(t.opened)
		}
		if t.overdue {
			s.pair.Overdue++
		}
		if t.escalated {
			s.pair.Escalated++
		}
	}
	out := make([]RequestPair, 0, len(by))
	for _, s := range by {
		if s.ackN > 0 {
			s.pair.MeanAckSeconds = s.ackSum.Seconds() / float64(s.ackN)
		}
		if s.answerN > 0 {
			s.pair.MeanAnswerSeconds = s.answerSum.Seconds() / float64(s.answerN)
		}
		out = append(out, s.pair)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requester != out[j].Requester {
			return out[i].Requester < out[j].Requester
		}
		return out[i].Recipient < out[j].Recipient
	})
	return out
}
