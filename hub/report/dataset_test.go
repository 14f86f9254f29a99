package report_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub/audit"
)

// testObject is one archived object share of the test's known data set,
// with the facts the report should count written out plainly.
type testObject struct {
	received   time.Time
	tlp        string
	sender     string
	audience   []string
	typ        string
	created    time.Time // zero: none
	technique  []string  // attack-pattern only
	malware    string
	indicators []string // distinct observable types of an indicator
	json       []byte
}

type testAudit struct {
	rec  audit.Record
	json []byte
}

var (
	testSenders  = []string{"le-alpha", "bank-one", "isp-two", "cert-three", "anonymous", "outsider", "bank-one", "le-bravo"}
	testTLPs     = []string{"clear", "green", "green", "amber", "amber+strict"}
	testMembers  = []string{"le-alpha", "le-bravo", "bank-one", "isp-two", "cert-three"}
	testTechs    = []string{"T1566", "T1566.001", "T1059", "T1486", "T1190", "T1078", "T1021.001"}
	testMalware  = []string{"Emotet", "TrickBot", "QakBot", "LockBit", "Cobalt Strike"}
	testPatterns = []struct {
		pattern string
		types   []string
	}{
		{"[ipv4-addr:value = '198.51.100.7']", []string{"ipv4-addr"}},
		{"[domain-name:value = 'evil.example'] OR [url:value = 'http://evil.example/a:b']", []string{"domain-name", "url"}},
		{"[file:hashes.'SHA-256' = 'aa11'] AND [file:name = 'x.exe']", []string{"file:hashes", "file"}},
		{"[email-addr:value = 'a@b.example' AND email-addr:display_name = 'it\\'s x:y']", []string{"email-addr"}},
		{"[network-traffic:dst_ref.type = 'ipv4-addr'] START t'2026-01-01T00:00:00Z' STOP t'2026-01-02T00:00:00Z'", []string{"network-traffic"}},
	}
	testReasons = [][]string{
		{"classified.banner"},
		{"tlp.defaulted", "personal_data.no_le_recipient"},
		{"supporting.included", "stix.invalid", "classified.banner"},
		{"audience.unknown_member"},
		{},
	}
	testVerdicts = []string{"accept", "partial", "reject", "review", "accept", "reject"}
)

// knownDataSet builds n object shares over about n*37 minutes from
// 2025-12-01 (so days, weeks, months and two years), and m audit records.
func knownDataSet(n, m int) ([]testObject, []testAudit) {
	base := time.Date(2025, 12, 1, 3, 0, 0, 0, time.UTC)
	objs := make([]testObject, 0, n)
	for i := range n {
		o := testObject{
			received: base.Add(time.Duration(i) * 37 * time.Minute),
			tlp:      testTLPs[i%len(testTLPs)],
			sender:   testSenders[i%len(testSenders)],
		}
		for j, m := range testMembers {
			if (i+j)%3 != 0 {
				o.audience = append(o.audience, m)
			}
		}
		// Delays from seconds to ~40 days; every 17th has no created, every 29th is from the future.
		delay := time.Duration((i*i*7919)%(40*86400)) * time.Second
		if i%5 == 0 {
			delay = time.Duration(i%300)*time.Second + 250*time.Millisecond
		}
		o.created = o.received.Add(-delay)
		if i%29 == 3 {
			o.created = o.received.Add(time.Hour)
		}
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		obj := map[string]any{"spec_version": "2.1", "modified": "2026-01-01T00:00:00.000Z"}
		switch i % 7 {
		case 0, 1:
			p := testPatterns[i%len(testPatterns)]
			o.typ, o.indicators = "indicator", p.types
			obj["pattern"], obj["pattern_type"], obj["valid_from"] = p.pattern, "stix", "2026-01-01T00:00:00Z"
		case 2:
			o.typ = "attack-pattern"
			o.technique = []string{testTechs[(i/7)%len(testTechs)]}
			refs := []map[string]any{
				{"source_name": "mitre-attack", "external_id": o.technique[0]},
				{"source_name": "capec", "external_id": "CAPEC-98"},
				{"source_name": "mitre-attack", "external_id": "TA0001"}, // a tactic, not a technique
			}
			if i%3 == 0 {
				o.technique = append(o.technique, "T1204")
				refs = append(refs, map[string]any{"source_name": "mitre-attack", "external_id": "T1204"})
			}
			obj["external_references"], obj["name"] = refs, "technique"
		case 3:
			o.typ, o.malware = "malware", testMalware[(i/7)%len(testMalware)]
			obj["name"], obj["is_family"] = "  "+o.malware+" ", true
		case 4:
			o.typ = "ipv4-addr"
			obj["value"] = "203.0.113.9"
			o.created = time.Time{}
		case 5:
			o.typ = "indicator"
			o.indicators = []string{"pattern:sigma"}
			obj["pattern"], obj["pattern_type"], obj["valid_from"] = "title: x", "sigma", "2026-01-01T00:00:00Z"
		default:
			o.typ = "report"
			obj["name"], obj["published"] = "r", "2026-01-01T00:00:00Z"
		}
		if i%17 == 5 {
			o.created = time.Time{}
		}
		obj["type"], obj["id"] = o.typ, o.typ+"--"+id
		if !o.created.IsZero() {
			obj["created"] = o.created.Format("2006-01-02T15:04:05.000Z")
		}
		o.json, _ = json.Marshal(obj)
		objs = append(objs, o)
	}
	auds := make([]testAudit, 0, m)
	for i := range m {
		r := audit.Record{
			Time:    base.Add(time.Duration(i) * 211 * time.Minute),
			Member:  testMembers[i%len(testMembers)],
			Verdict: testVerdicts[i%len(testVerdicts)],
			Reasons: testReasons[i%len(testReasons)],
			Action:  "decide", Actor: "policy", Submission: fmt.Sprintf("sub-%d", i),
		}
		if i%11 == 4 {
			r.Action, r.Actor = "review.approve", "operator" // not a submission
		}
		raw, _ := json.Marshal(r)
		auds = append(auds, testAudit{rec: r, json: raw})
	}
	return objs, auds
}

func (o testObject) audienceHeader() string { return strings.Join(o.audience, ",") }
