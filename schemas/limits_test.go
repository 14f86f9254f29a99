package schemas_test

import (
	"strings"
	"testing"

	"github.com/genevahub/geneva/schemas"
)

func TestLimits(t *testing.T) {
	small := schemas.NewValidator(schemas.Options{Limits: schemas.Limits{MaxBytes: 4096, MaxDepth: 8, MaxObjects: 2}})
	deep := strings.Repeat(`{"a":`, 9) + `1` + strings.Repeat(`}`, 9)
	cases := []struct {
		name, doc, rule, msg string
	}{
		{"size", `{"type":"campaign","name":"` + strings.Repeat("a", 5000) + `"}`, "limit.size", "5029 bytes is more than the limit of 4096"},
		{"depth", deep, "limit.depth", "line 1, column 41: nesting deeper than the limit of 8"},
		{"depth in lists", strings.Repeat("[", 9) + strings.Repeat("]", 9), "limit.depth", "nesting deeper"},
		{"objects", bundle(baseCampaign, baseCampaign, baseCampaign), "limit.objects", "3 objects is more than the limit of 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, rep := small.Validate([]byte(tc.doc))
			if d != nil {
				t.Error("a document returned past a limit")
			}
			if len(rep.Errors) != 1 || rep.Errors[0].Rule != tc.rule || rep.Errors[0].Object != -1 ||
				!strings.Contains(rep.Errors[0].Message, tc.msg) {
				t.Fatalf("want one %s error containing %q, got %+v", tc.rule, tc.msg, rep.Errors)
			}
		})
	}
	// Exactly at the limits is fine.
	if _, rep := small.Validate([]byte(bundle(baseCampaign, baseCampaign))); !rep.Valid() {
		t.Errorf("two objects within a limit of two: %v", rep.Errors)
	}
	if _, rep := small.Validate([]byte(strings.Repeat("[", 8) + strings.Repeat("]", 8))); rep.Errors[0].Rule == "limit.depth" {
		t.Error("depth 8 within a limit of 8 reported as too deep")
	}
}

// A MaxDepth beyond what the parser supports still ends in limit.depth,
// not in a confusing syntax error.
func TestDepthBeyondParser(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{Limits: schemas.Limits{MaxBytes: 1 << 20, MaxDepth: 10_000, MaxObjects: 10}})
	for _, n := range []int{299, 300, 301, 500} {
		_, rep := v.Validate([]byte(strings.Repeat("[", n) + strings.Repeat("]", n)))
		if len(rep.Errors) != 1 || (rep.Errors[0].Rule != "limit.depth" && rep.Errors[0].Rule != "document.root") {
			t.Errorf("depth %d: %v", n, rep.Errors)
		}
	}
}

// Hostile nesting far beyond the limit ends at the limit, without
// recursion to the bottom.
func TestDeepInputStopsAtLimit(t *testing.T) {
	doc := strings.Repeat("[", 1_000_000)
	_, rep := schemas.NewValidator(schemas.Options{}).Validate([]byte(doc))
	if len(rep.Errors) != 1 || rep.Errors[0].Rule != "limit.depth" {
		t.Fatalf("got %v", rep.Errors)
	}
}

func TestJSONSyntax(t *testing.T) {
	cases := []struct{ name, doc, msg string }{
		{"stray character", "<html>", "line 1, column 1: unexpected character '<', expected a value"},
		{"position on a later line", "{\n  \"type\": \"campaign\",\n  \"name\": tru\n}", "line 3, column 11: invalid literal, expected true"},
		{"trailing comma", `{"a":1,}`, "line 1, column 8: unexpected character '}', expected a string key"},
		{"bad escape", `{"a":"\x"}`, `invalid escape "\\x" in string`},
		{"short unicode escape", `{"a":"\u12"}`, `invalid \u escape`},
		{"raw control character", "{\"a\":\"\t\"}", "control character 0x09 in string"},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", "invalid UTF-8 in string"},
		{"leading zero", `{"a":01}`, "unexpected character '1'"},
		{"NaN", `{"a":NaN}`, "expected a value"},
		{"two values", `{} {}`, "after the top-level value"},
		{"empty", ``, "unexpected end of input"},
		{"unterminated string", `{"a":"b`, "unterminated string"},
	}
	v := schemas.NewValidator(schemas.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, rep := v.Validate([]byte(tc.doc))
			if d != nil || len(rep.Errors) != 1 {
				t.Fatalf("want exactly one error and no document, got %v", rep.Errors)
			}
			e := rep.Errors[0]
			if e.Rule != "json.syntax" || e.Pointer != "" || e.Object != -1 || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("got %+v, want json.syntax containing %q", e, tc.msg)
			}
		})
	}
}
