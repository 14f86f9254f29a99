package audit_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/audit"
)

// FuzzCanonicalIsUnambiguous decodes the canonical bytes back into a record
// and requires the original: two different records can then never share
// canonical bytes (and so a hash), whatever their strings contain.
func FuzzCanonicalIsUnambiguous(f *testing.F) {
	f.Add("le-alpha", "s1", "tlp.red", "x", "m.le-bravo", "le-bravo", "", int64(5))
	f.Add("a,1:b", "2:", ",", ":", "", "", "0:,", int64(-1))
	f.Fuzz(func(t *testing.T, member, sub, reason1, reason2, scope, audience, prev string, nanos int64) {
		want := audit.Record{
			Time:   time.Unix(0, nanos).UTC(),
			Member: member, Submission: sub, Digest: prev, Verdict: reason2,
			Reasons:       []string{reason1, reason2},
			Routes:        []audit.Route{{TLP: reason1, Scope: scope, Audience: []string{audience}}, {}},
			PolicyVersion: scope, Action: member, Actor: audience, Prev: prev,
		}
		got, ok := parseCanonical(want.Canonical())
		if !ok {
			t.Fatalf("canonical bytes do not parse: %q", want.Canonical())
		}
		if !got.Time.Equal(want.Time) {
			t.Fatalf("time %v, want %v", got.Time, want.Time)
		}
		got.Time = want.Time
		if got.Canonical() == nil || !bytes.Equal(got.Canonical(), want.Canonical()) || got.Member != want.Member ||
			got.Prev != want.Prev || got.Routes[0].Audience[0] != audience || got.Reasons[1] != reason2 {
			t.Fatalf("round trip changed the record: %+v, want %+v", got, want)
		}
	})
}

// parseCanonical reads the netstrings of Record.Canonical back.
func parseCanonical(b []byte) (audit.Record, bool) {
	var fail bool
	next := func() string {
		i := bytes.IndexByte(b, ':')
		if fail || i < 1 {
			fail = true
			return ""
		}
		n, err := strconv.Atoi(string(b[:i]))
		if err != nil || n < 0 || len(b) < i+1+n+1 || b[i+1+n] != ',' {
			fail = true
			return ""
		}
		s := string(b[i+1 : i+1+n])
		b = b[i+1+n+1:]
		return s
	}
	list := func() []string {
		n, err := strconv.Atoi(next())
		if err != nil || n < 0 || n > 1000 {
			fail = true
			return nil
		}
		out := make([]string, 0, n)
		for range n {
			out = append(out, next())
		}
		return out
	}
	var r audit.Record
	if next() != "geneva-audit-v1" {
		return r, false
	}
	tm, err := time.Parse(time.RFC3339Nano, next())
	r.Time, fail = tm, fail || err != nil
	r.Member, r.Submission, r.Digest, r.Verdict = next(), next(), next(), next()
	r.Reasons = list()
	routes, err := strconv.Atoi(next())
	if err != nil || routes < 0 || routes > 1000 {
		return r, false
	}
	for range routes {
		r.Routes = append(r.Routes, audit.Route{TLP: next(), Scope: next(), Audience: list()})
	}
	r.PolicyVersion, r.Action, r.Actor, r.Prev = next(), next(), next(), next()
	return r, !fail && len(b) == 0
}
