package schemas_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/genevahub/geneva/schemas"
)

// Valid base objects the table tests modify.
const (
	baseIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","indicator_types":["malicious-activity"],
		"pattern":"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`
	baseCampaign = `{"type":"campaign","spec_version":"2.1","id":"campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"Green Group Attacks Against Finance"}`
	baseTraffic = `{"type":"network-traffic","spec_version":"2.1","id":"network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
		"src_ref":"ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53","protocols":["ipv4","tcp"]}`
	baseRelationship = `{"type":"relationship","spec_version":"2.1","id":"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
		"created":"2016-04-06T20:06:37.000Z","modified":"2016-04-06T20:06:37.000Z","relationship_type":"indicates",
		"source_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","target_ref":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"}`
	baseSighting = `{"type":"sighting","spec_version":"2.1","id":"sighting--ee20065d-2555-424f-ad9e-0f8428623c75",
		"created":"2016-04-06T20:08:31.000Z","modified":"2016-04-06T20:08:31.000Z",
		"sighting_of_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`
	baseMalwareAnalysis = `{"type":"malware-analysis","spec_version":"2.1","id":"malware-analysis--d25167b7-fed0-4068-9ccd-a73dd2c5b07c",
		"created":"2020-01-16T18:52:24.277Z","modified":"2020-01-16T18:52:24.277Z","product":"microsoft","result":"malicious"}`
	baseFile = `{"type":"file","spec_version":"2.1","id":"file--e277603e-1060-5ad4-9937-c26c97f1ca68","name":"foo.exe"}`
)

// with returns base with the given properties set (nil deletes one).
func with(t *testing.T, base string, set map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatalf("base: %v", err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bundle wraps objects (JSON texts) in a bundle.
func bundle(objects ...string) string {
	return `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(objects, ",") + `]}`
}

// finding is what a table test expects: a rule, and a pointer ("" to
// skip the pointer check). Severity comes from the rule catalogue.
type finding struct {
	rule, pointer string
}

type ruleCase struct {
	name string
	doc  string
	want []finding // empty, or only warnings: the document must have no error
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	v := schemas.NewValidator(schemas.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, rep := v.Validate([]byte(tc.doc))
			all := append(append([]schemas.Finding{}, rep.Errors...), rep.Warnings...)
			if len(tc.want) == 0 {
				for _, e := range rep.Errors {
					t.Errorf("unexpected error %s: %s: %s", e.Pointer, e.Rule, e.Message)
				}
				return
			}
			// A case that expects only warnings is about a valid document.
			onlyWarnings := true
			for _, w := range tc.want {
				if r, _ := schemas.RuleByName(w.rule); r.Severity == schemas.SeverityError {
					onlyWarnings = false
				}
			}
			if onlyWarnings {
				for _, e := range rep.Errors {
					t.Errorf("unexpected error %s: %s: %s", e.Pointer, e.Rule, e.Message)
				}
			}
			for _, w := range tc.want {
				if !hasFinding(all, w) {
					t.Errorf("want %s at %q; got:", w.rule, w.pointer)
					for _, f := range all {
						t.Logf("  %s: %s: %s", f.Pointer, f.Rule, f.Message)
					}
				}
				r, ok := schemas.RuleByName(w.rule)
				if !ok {
					t.Fatalf("rule %s not catalogued", w.rule)
				}
				if r.Severity == schemas.SeverityWarning {
					for _, e := range rep.Errors {
						if e.Rule == w.rule {
							t.Errorf("%s must be a warning, is an error", w.rule)
						}
					}
				}
			}
		})
	}
}

func hasFinding(fs []schemas.Finding, w finding) bool {
	for _, f := range fs {
		if f.Rule == w.rule && (w.pointer == "" || f.Pointer == w.pointer) {
			return true
		}
	}
	return false
}
