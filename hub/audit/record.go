// Package audit is the hub's hash-chained decision log: every decision and
// every review action is one record on a JetStream stream, and each record
// holds the SHA-256 of the one before it, so a changed, inserted or deleted
// record breaks the chain at a sequence Verify can name.
//
// Records never hold content: a submission appears only as its digest.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Record is one audit entry. Prev and Hash are set by Log.Append.
type Record struct {
	Time          time.Time `json:"time"`           // when the hub decided or acted (UTC)
	Member        string    `json:"member"`         // the submitting member (the real one, even if anonymous)
	Submission    string    `json:"submission_id"`  // the submission id
	Digest        string    `json:"digest"`         // hex SHA-256 of the submitted bytes
	Verdict       string    `json:"verdict"`        // accept, partial, reject, review
	Reasons       []string  `json:"reason_codes"`   // reason codes only, never messages
	Routes        []Route   `json:"routes"`         // where accepted parts went
	PolicyVersion string    `json:"policy_version"` // the MoU version that decided
	Action        string    `json:"action"`         // "decide", "review.approve", "review.reject", ...
	Actor         string    `json:"actor"`          // who acted: "policy" or the operator's id
	Prev          string    `json:"prev"`           // Hash of the previous record; "" for the first
	Hash          string    `json:"hash"`           // hex SHA-256 of this record's canonical bytes
}

// Route is one audience a part of the submission went to.
type Route struct {
	TLP      string   `json:"tlp"`      // clear, green, amber, amber+strict, red
	Scope    string   `json:"scope"`    // all, c.<community>, m.<member>
	Audience []string `json:"audience"` // member ids
}

// canonicalTag starts the canonical bytes; a new record layout gets a new tag.
const canonicalTag = "geneva-audit-v1"

// timeLayout is RFC 3339 in UTC with exactly nine fractional digits, so one
// instant has one spelling.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// Canonical returns the bytes that Hash covers. They are a sequence of
// netstrings (decimal length, ':', bytes, ','), in this order:
//
//	"geneva-audit-v1", time (UTC, 2006-01-02T15:04:05.000000000Z), member,
//	submission_id, digest, verdict, reason_codes as a list, routes,
//	policy_version, action, actor, prev
//
// A list is the netstring of its decimal length followed by one netstring per
// item; routes is the netstring of the route count followed by, for each
// route, tlp, scope and audience as a list. Hash is not part of its own
// input. Strings are hashed as their raw bytes, with no normalisation.
func (r Record) Canonical() []byte { return r.appendCanonical(make([]byte, 0, 256)) }

// ComputeHash returns the lower-case hex SHA-256 of r.Canonical().
func (r Record) ComputeHash() string {
	var buf [512]byte // the canonical bytes of a usual record fit: no allocation
	sum := sha256.Sum256(r.appendCanonical(buf[:0]))
	return hex.EncodeToString(sum[:])
}

func (r *Record) appendCanonical(b []byte) []byte {
	b = netstring(b, canonicalTag)
	var tb [40]byte
	b = netbytes(b, r.Time.UTC().AppendFormat(tb[:0], timeLayout))
	b = netstring(b, r.Member)
	b = netstring(b, r.Submission)
	b = netstring(b, r.Digest)
	b = netstring(b, r.Verdict)
	b = list(b, r.Reasons)
	b = netstring(b, strconv.Itoa(len(r.Routes)))
	for _, rt := range r.Routes {
		b = netstring(b, rt.TLP)
		b = netstring(b, rt.Scope)
		b = list(b, rt.Audience)
	}
	b = netstring(b, r.PolicyVersion)
	b = netstring(b, r.Action)
	b = netstring(b, r.Actor)
	b = netstring(b, r.Prev)
	return b
}

func netstring(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

func netbytes(b, s []byte) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

func list(b []byte, items []string) []byte {
	b = netstring(b, strconv.Itoa(len(items)))
	for _, s := range items {
		b = netstring(b, s)
	}
	return b
}
