package portal

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/pattern"
)

func TestIndicatorPatterns(t *testing.T) {
	cases := map[string]struct{ kind, pattern, id string }{
		"198.51.100.7":                     {"ipv4-addr", "[ipv4-addr:value = '198.51.100.7']", ""},
		"2001:db8::1":                      {"ipv6-addr", "[ipv6-addr:value = '2001:db8::1']", ""},
		"Evil.Example.COM":                 {"domain-name", "[domain-name:value = 'evil.example.com']", ""},
		"https://x.test/a'b":               {"url", `[url:value = 'https://x.test/a\'b']`, ""},
		"phish@evil.example":               {"email-addr", "[email-addr:value = 'phish@evil.example']", ""},
		strings.Repeat("A", 64):            {"file", "[file:hashes.'SHA-256' = '" + strings.Repeat("a", 64) + "']", ""},
		"d41d8cd98f00b204e9800998ecf8427e": {"file", "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']", ""},
		// Deterministic ids as the OASIS stix2 Python library computes them.
		"example.com":  {"domain-name", "[domain-name:value = 'example.com']", "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
		"198.51.100.8": {"ipv4-addr", "[ipv4-addr:value = '198.51.100.8']", ""},
	}
	for in, want := range cases {
		v, err := parseIndicator(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if v.kind != want.kind || v.pattern() != want.pattern {
			t.Errorf("%q: got %s %s, want %s %s", in, v.kind, v.pattern(), want.kind, want.pattern)
		}
		if _, err := pattern.Parse(v.pattern()); err != nil {
			t.Errorf("%q: pattern %s does not parse: %v", in, v.pattern(), err)
		}
		if want.id != "" && v.id() != want.id {
			t.Errorf("%q: id %s, want %s", in, v.id(), want.id)
		}
	}
	for _, bad := range []string{"not a thing", "javascript://x", "a@b@c", "12345", "http:///nohost", "<script>"} {
		if _, err := parseIndicator(bad); err == nil {
			t.Errorf("%q accepted as an indicator", bad)
		}
	}
}

// The bundle a report builds is valid STIX 2.1 (the project's validator,
// patterns included), and the policy reads its TLP.
func TestIncidentBundleIsValidSTIX(t *testing.T) {
	mou := policy.DemoMoU()
	form := url.Values{"title": {"Phishing wave"}, "what": {"Mails with a fake login page."}, "when": {"2026-12-01T08:30"},
		"impact": {"Two accounts taken"}, "sector": {"financial-services"}, "tlp": {"amber"}, "audience": {"members"},
		"to": {"le-alpha", "le-bravo"}, "indicators": {"198.51.100.7\nevil.example\nhttps://evil.example/login\nphish@evil.example\n" + strings.Repeat("b", 40)},
		"attachments": {strings.Repeat("C", 64) + "  invoice.pdf.exe\n" + strings.Repeat("d", 64)}}
	r, errs := parseReport(form, mou, "bank-one")
	if len(errs) > 0 {
		t.Fatalf("form refused: %v", errs)
	}
	me, _ := mou.Member("bank-one")
	bundle := incidentBundle(r, me.Identity, time.Now())
	_, rep := schemas.NewValidator(schemas.Options{}).Validate(bundle)
	if !rep.Valid() {
		t.Fatalf("bundle invalid: %+v\n%s", rep.Errors, bundle)
	}
	var b struct{ Objects []map[string]any }
	_ = json.Unmarshal(bundle, &b)
	types := map[string]int{}
	for _, o := range b.Objects {
		types[o["type"].(string)]++
	}
	if types["incident"] != 1 || types["indicator"] != 5 || types["relationship"] != 12 || types["marking-definition"] != 1 ||
		types["file"] != 3 {
		t.Fatalf("objects: %v", types)
	}
	engine, err := policy.NewEngine(mou)
	if err != nil {
		t.Fatal(err)
	}
	d := engine.Decide(policy.Request{Sender: "bank-one", To: r.addressing().To, Bundle: bundle})
	if d.Verdict != policy.Accept {
		t.Fatalf("verdict %s: %+v", d.Verdict, d.Reasons)
	}
}

func TestReportFormErrorsNameTheField(t *testing.T) {
	form := url.Values{"title": {""}, "what": {"x"}, "tlp": {"purple"}, "audience": {"members"}, "to": {"bank-one", "nobody"},
		"indicators": {"198.51.100.7\n\nnot-an-indicator!"}, "when": {"yesterday"}, "attachments": {"\nabc123  notes.txt"}}
	_, errs := parseReport(form, policy.DemoMoU(), "bank-one")
	got := strings.Join(errs, "\n")
	for _, want := range []string{"Title: required", "TLP: choose one", `Members: "bank-one" is not another member`,
		`Members: "nobody" is not another member`, "Indicators, line 3:", "When: want a date", "Attachments, line 2: want a SHA-256"} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
}

func TestRequestFormErrorsNameTheField(t *testing.T) {
	form := url.Values{"kind": {"subpoena"}, "tlp": {"green"}, "deadline_hours": {"0"}, "observables": {"198.51.100.7\nnot a value"},
		"jurisdiction": {"Norway"}}
	_, _, _, _, errs := parseRequest(form, time.Now())
	got := strings.Join(errs, "\n")
	for _, want := range []string{"Kind: choose one of", "TLP: choose amber+strict or red", "To: name at least one member",
		"Deadline: give the hours", `Observables: "not a value"`, "Summary: required", "Legal basis: required",
		"Your case reference: required", "Requesting unit: required", "Jurisdiction: the two-letter country code"} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
}
