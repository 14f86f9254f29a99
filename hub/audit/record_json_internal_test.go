package audit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/jsonappend/jsonappendtest"
)

// TestAppendJSONMatchesMarshal: the hand-written encoder writes what
// json.Marshal writes, so stored records and every reader stay unchanged.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := Record{Time: time.Date(2026, 11, 22, 17, 0, 0, 5, time.UTC), Member: "bank-one", Submission: "sub-1",
		Digest: "ab", Verdict: "accept", Reasons: []string{"tlp.green"},
		Routes:        []Route{{TLP: "green", Scope: "all", Audience: []string{"cert-three", "isp-two"}}, {}},
		PolicyVersion: "demo-1", Action: "decide", Actor: "policy", Prev: "00", Hash: "11"}
	requireSameJSON(t, r)
	requireSameJSON(t, Record{})
	r.Time = r.Time.In(time.FixedZone("CET", 3600))
	requireSameJSON(t, r)
	for c := range 256 {
		r.Member = "m" + string([]byte{byte(c)}) + "<\u2028>"
		r.Actor = string(rune(c))
		requireSameJSON(t, r)
	}
}

// TestAppendJSONEveryRune: every code point and invalid UTF-8 sequence in
// every string field gives valid JSON text, as json.Marshal writes it.
func TestAppendJSONEveryRune(t *testing.T) {
	for _, s := range jsonappendtest.EveryRune() {
		requireSameJSON(t, Record{Member: s, Submission: s, Digest: s, Verdict: s, Reasons: []string{s},
			Routes: []Route{{TLP: s, Scope: s, Audience: []string{s}}}, PolicyVersion: s, Action: s, Actor: s, Prev: s, Hash: s})
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("bank-one", "sub-1", "tlp.green", "all", "<&>\u2028\x00\xff", int64(0), 0)
	f.Add("", "", "", "", "", int64(300000000000), 7200)
	f.Fuzz(func(t *testing.T, member, sub, reason, scope, text string, secs int64, offset int) {
		r := Record{Time: time.Unix(secs, int64(len(text))).In(time.FixedZone("z", offset)), Member: member,
			Submission: sub, Digest: text, Verdict: reason, Reasons: []string{reason, text},
			Routes:        []Route{{TLP: text, Scope: scope, Audience: []string{member, text}}},
			PolicyVersion: scope, Action: text, Actor: member, Prev: sub, Hash: text}
		if len(text)%2 == 1 {
			r.Reasons, r.Routes = nil, nil
		}
		requireSameJSON(t, r)
	})
}

func requireSameJSON(t *testing.T, r Record) {
	t.Helper()
	jsonappendtest.RequireMarshalEqual(t, r, r.appendJSON)
}

// BenchmarkEncode compares what attempt does per record before and after
// the hand-written encoder and the allocation-free hash
// (go test -run '^$' -bench Encode ./hub/audit).
func BenchmarkEncode(b *testing.B) {
	r := Record{Time: time.Now().UTC(), Member: "bank-one", Submission: "sub-0123456789abcdef01234567",
		Digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Verdict: "accept",
		Reasons: []string{}, Routes: []Route{{TLP: "green", Scope: "all", Audience: []string{"cert-three", "isp-two", "le-alpha", "le-bravo"}}},
		PolicyVersion: "2026-11-01", Action: "decide", Actor: "policy",
		Prev: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	b.Run("hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Hash = r.ComputeHash()
		}
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.appendJSON(make([]byte, 0, 1024)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
