package classify_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/genevahub/geneva/policy/classify"
)

var invisible = []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

// FuzzText: no input panics, and detection is invariant under the evasions
// the canonical form removes: zero-width and format characters inserted
// anywhere, and ASCII case switched.
func FuzzText(f *testing.F) {
	for _, c := range textPositives {
		f.Add(c.text, uint16(7))
	}
	for _, s := range textNegatives {
		f.Add(s, uint16(3))
	}
	g, err := classify.New(classify.Config{ExtraTerms: []string{"OFFICIAL-SENSITIVE"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, seed uint16) {
		found := g.Text(s, "/x")
		if len(found) > 1 {
			t.Fatalf("more than one finding for one string: %+v", found)
		}
		if full := classify.FullRules(g, s); full != (len(found) == 1) {
			t.Fatalf("fast path changes the verdict on %q: rules %v, Text %v", s, full, found)
		}
		if len(found) == 0 || !utf8.ValidString(s) {
			return
		}
		for name, v := range map[string]string{
			"invisible": sprinkle(s, seed),
			"upper":     mapASCII(s, func(c byte) byte { return c &^ 0x20 }),
			"lower":     mapASCII(s, func(c byte) byte { return c | 0x20 }),
			"toggle":    mapASCII(s, func(c byte) byte { return c ^ 0x20 }),
		} {
			if len(g.Text(v, "/x")) != 1 {
				t.Fatalf("%s variant %q of detected %q is not detected", name, v, s)
			}
		}
	})
}

// sprinkle inserts invisible characters between runes, chosen by seed.
func sprinkle(s string, seed uint16) string {
	var b strings.Builder
	n := int(seed%5) + 1
	i := 0
	for _, r := range s {
		if i%n == 0 {
			b.WriteString(invisible[(i+int(seed))%len(invisible)])
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}

func mapASCII(s string, f func(byte) byte) string {
	b := []byte(s)
	for i, c := range b {
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			b[i] = f(c)
		}
	}
	return string(b)
}
