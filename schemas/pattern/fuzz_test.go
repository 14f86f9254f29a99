package pattern_test

import (
	"errors"
	"testing"

	"github.com/genevahub/geneva/schemas/pattern"
)

// FuzzParse checks that Parse never panics, is deterministic, returns only
// *SyntaxError with an offset inside the input, and that whatever parses
// prints back to text that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range specExamples {
		f.Add(s)
	}
	for _, s := range []string{
		`[x-test:aaa IN ('s', 1, -2, 3.5, -.5, true, false, b'AAEC', h'00ff', t'2016-01-01T00:00:00Z')]`,
		`([file:name = 'a'] AND [file:name = 'b']) REPEATS 2 TIMES WITHIN 2.5 SECONDS START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'`,
		`[file:name = 'it\'s \\ here' /* c */ OR (file:size > +5 AND file:items[-1] != 0)] // x`,
		`[file:hashes."SHA-256" = 'x']`, `[ab:yz = 'a']`, `[file:n = 'a']`, "[file:name\u00a0=\u3000'a']",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := pattern.Parse(s)
		p2, err2 := pattern.Parse(s)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var se *pattern.SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("bad error %#v for %q", err, s)
			}
			return
		}
		if p.String() != p2.String() {
			t.Fatalf("not deterministic: %q / %q", p, p2)
		}
		requireRoundTrip(t, p)
	})
}
