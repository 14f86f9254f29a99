package jsonappend

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/jsonappend/jsonappendtest"
)

func TestStringMatchesEncodingJSON(t *testing.T) {
	var cases []string
	for c := range 256 {
		cases = append(cases, string(rune(c)), "a"+string(rune(c))+"b", "x"+string([]byte{byte(c)})+"y")
	}
	cases = append(cases, "", "indicator--8e2e2d2b", "<script>&", "é\u2028\u2029", strings.Repeat("\\\"", 3), "plain text, ok: 1/2 [x]")
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, json.Marshal = %s", s, got, want)
		}
	}
}

func TestStringsAndTimeMatchEncodingJSON(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"a", "<b>"}} {
		want, _ := json.Marshal(ss)
		if got := Strings(nil, ss); string(got) != string(want) {
			t.Errorf("Strings(%q) = %s, want %s", ss, got, want)
		}
	}
	for _, tm := range []time.Time{
		time.Date(2026, 11, 22, 20, 0, 0, 123456789, time.UTC),
		time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 20, 0, 0, 0, time.FixedZone("CET", 3600)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		want, wantErr := json.Marshal(tm)
		got, err := Time(nil, tm)
		if (err != nil) != (wantErr != nil) || (err == nil && string(got) != string(want)) {
			t.Errorf("Time(%v) = %s, %v; json.Marshal = %s, %v", tm, got, err, want, wantErr)
		}
	}
}

// TestStringEveryRune: every code point and invalid UTF-8 sequence comes
// out as json.Marshal writes it, which is valid JSON text.
func TestStringEveryRune(t *testing.T) {
	for _, s := range jsonappendtest.EveryRune() {
		want, _ := json.Marshal(s)
		got := String(nil, s)
		if string(got) != string(want) {
			t.Fatalf("String(%.80q…) = %.80s…, json.Marshal = %.80s…", s, got, want)
		}
		jsonappendtest.RequireJSONText(t, got)
	}
}
