package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

func goldenRecord() audit.Record {
	return audit.Record{
		Time:          time.Date(2026, 11, 22, 18, 30, 0, 5, time.FixedZone("CET", 3600)),
		Member:        "le-alpha",
		Submission:    "s1",
		Digest:        "ab",
		Verdict:       "partial",
		Reasons:       []string{"tlp.red", "x"},
		Routes:        []audit.Route{{TLP: "red", Scope: "m.le-bravo", Audience: []string{"le-bravo"}}},
		PolicyVersion: "v1",
		Action:        "decide",
		Actor:         "policy",
		Prev:          "",
		Hash:          "ignored: never part of its own input",
	}
}

// The canonical bytes are a wire format: this test pins them, and the hash
// was computed independently (printf '%s' ... | sha256sum).
func TestCanonicalBytesAreStable(t *testing.T) {
	want := "15:geneva-audit-v1,30:2026-11-22T17:30:00.000000005Z,8:le-alpha,2:s1,2:ab,7:partial," +
		"1:2,7:tlp.red,1:x,1:1,3:red,10:m.le-bravo,1:1,8:le-bravo,2:v1,6:decide,6:policy,0:,"
	r := goldenRecord()
	require.Equal(t, want, string(r.Canonical()))
	require.Equal(t, "d6a247dcf99b42ac47e602fc6ffcbe5dcd517086b937f8a4dc1552e89409b10c", r.ComputeHash())
}

func TestEveryFieldIsCovered(t *testing.T) {
	base := goldenRecord().ComputeHash()
	cases := map[string]func(*audit.Record){
		"time":           func(r *audit.Record) { r.Time = r.Time.Add(time.Nanosecond) },
		"member":         func(r *audit.Record) { r.Member = "le-bravo" },
		"submission":     func(r *audit.Record) { r.Submission = "s2" },
		"digest":         func(r *audit.Record) { r.Digest = "ac" },
		"verdict":        func(r *audit.Record) { r.Verdict = "accept" },
		"reason dropped": func(r *audit.Record) { r.Reasons = r.Reasons[:1] },
		"reasons merged": func(r *audit.Record) { r.Reasons = []string{"tlp.red,1:x"} },
		"route tlp":      func(r *audit.Record) { r.Routes[0].TLP = "amber" },
		"route scope":    func(r *audit.Record) { r.Routes[0].Scope = "all" },
		"audience":       func(r *audit.Record) { r.Routes[0].Audience = append(r.Routes[0].Audience, "cert-three") },
		"route added":    func(r *audit.Record) { r.Routes = append(r.Routes, audit.Route{}) },
		"policy version": func(r *audit.Record) { r.PolicyVersion = "v2" },
		"action":         func(r *audit.Record) { r.Action = "review.approve" },
		"actor":          func(r *audit.Record) { r.Actor = "operator" },
		"prev":           func(r *audit.Record) { r.Prev = "00" },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			r := goldenRecord()
			r.Routes = []audit.Route{{TLP: "red", Scope: "m.le-bravo", Audience: []string{"le-bravo"}}}
			change(&r)
			require.NotEqual(t, base, r.ComputeHash())
		})
	}
}
