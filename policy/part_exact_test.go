package policy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// requireExactParts checks what the hub promises recipients: every part of
// d is RFC 8259 JSON (valid for encoding/json, and UTF-8, which
// encoding/json does not check) and each of its objects is byte for byte
// the object the sender wrote.
func requireExactParts(t testing.TB, d policy.Decision, submitted []byte) {
	t.Helper()
	in := submittedObjects(t, submitted)
	for _, r := range d.Routes {
		part, err := d.Part(r)
		if err != nil {
			t.Fatalf("route %s %s: %v", r.TLP, r.Scope, err)
		}
		if !json.Valid(part) || !utf8.Valid(part) {
			t.Fatalf("route %s %s: the part is not valid JSON: %.300q", r.TLP, r.Scope, part)
		}
		var env map[string]json.RawMessage
		var out []json.RawMessage
		if err := json.Unmarshal(part, &env); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(env["objects"], &out); err != nil {
			t.Fatalf("route %s %s: objects: %v", r.TLP, r.Scope, err)
		}
		if len(out) != len(r.Objects) {
			t.Fatalf("route %s %s: %d objects in the part, want %d", r.TLP, r.Scope, len(out), len(r.Objects))
		}
		for k, i := range r.Objects {
			if !bytes.Equal(out[k], in[i]) {
				t.Fatalf("route %s %s: object %d changed on the way:\nsent %.300q\ngot  %.300q", r.TLP, r.Scope, i, in[i], out[k])
			}
		}
	}
}

// submittedObjects are the submission's objects as encoding/json cuts them
// out of it (the document itself for a single object).
func submittedObjects(t testing.TB, submitted []byte) []json.RawMessage {
	t.Helper()
	var env map[string]json.RawMessage
	if err := json.Unmarshal(submitted, &env); err != nil {
		t.Fatalf("encoding/json refuses an accepted submission: %v", err)
	}
	if string(env["type"]) != `"bundle"` {
		return []json.RawMessage{bytes.TrimSpace(submitted)}
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(env["objects"], &objs); err != nil {
		t.Fatal(err)
	}
	return objs
}

// jsonRune writes r into a JSON string: raw UTF-8, or a \u escape (a
// surrogate pair above U+FFFF) where escaped is set or JSON requires it.
func jsonRune(b []byte, r rune, escaped bool) []byte {
	switch {
	case r == '"' || r == '\\':
		return append(b, '\\', byte(r))
	case escaped || r < 0x20 || (r >= 0xd800 && r <= 0xdfff):
		if r > 0xffff {
			r -= 0x10000
			return fmt.Appendf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		}
		return fmt.Appendf(b, `\u%04x`, r)
	}
	return utf8.AppendRune(b, r)
}

// TestPartsCarryEveryRuneUnchanged sends every code point, U+0000 to
// U+10FFFF (lone surrogates as \u escapes), both as raw UTF-8 and as \u
// escapes, in indicator names: each part must be valid JSON with the
// objects byte-identical to the submission's.
func TestPartsCarryEveryRuneUnchanged(t *testing.T) {
	e := demoEngine(t)
	const perName, perBundle = 2048, 64
	for _, escaped := range []bool{false, true} {
		for lo := rune(0); lo <= utf8.MaxRune; lo += perName * perBundle {
			var objs []string
			for n := range perBundle {
				from := lo + rune(n*perName)
				if from > utf8.MaxRune {
					break
				}
				name := []byte(`"name":"`)
				for r := from; r < from+perName && r <= utf8.MaxRune; r++ {
					name = jsonRune(name, r, escaped)
				}
				name = append(name, '"')
				objs = append(objs, indicator(fmt.Sprintf("%02d", n%100), string(name)+","+marked(green1)))
			}
			requireAcceptedExactly(t, e, bundleOf(objs...), fmt.Sprintf("U+%04X…", lo))
		}
	}
}

// TestPartsKeepTheSendersEscapes: the same text written differently must
// leave the hub written the same way, escapes and all.
func TestPartsKeepTheSendersEscapes(t *testing.T) {
	e := demoEngine(t)
	for _, name := range []string{
		`\u0007\u001b\u007f`, "\x7f", `\/\b\f\n\r\t\"\\`, `\u00e9 é \u00E9`, `\ud83c\udff4\udb40\udc67`,
		"\U0001f3f4\U000e0067\U000e0062\U000e007f", "\u00a0\ufeff\u202f", `&<>\u0026\u003c`, `\ud800 \udfff`,
	} {
		requireAcceptedExactly(t, e, bundleOf(indicator("01", `"name":"`+name+`",`+marked(green1))), name)
	}
}

// requireAcceptedExactly submits b as bank-one: it must be accepted and
// its parts exact.
func requireAcceptedExactly(t *testing.T, e *policy.Engine, b []byte, what string) {
	t.Helper()
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
	if d.Verdict != policy.Accept {
		t.Fatalf("%q: %s %+v", what, d.Verdict, d.Reasons)
	}
	requireExactParts(t, d, b)
}

// TestInvalidJSONTextIsRefused: a submission that is not RFC 8259 JSON
// text (invalid UTF-8, which encoding/json lets through and replaces with
// U+FFFD; raw control characters, which it refuses) is never accepted, so
// it never becomes a part.
func TestInvalidJSONTextIsRefused(t *testing.T) {
	e := demoEngine(t)
	for _, seq := range []string{
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xe2\x82", "\xf0\x9f\x98",
		"\x07", "\x1b", "\x00",
	} {
		b := bundleOf(indicator("01", `"name":"a`+seq+`b",`+marked(green1)))
		if json.Valid(b) && utf8.Valid(b) {
			t.Fatalf("%q: valid JSON text; the test needs an invalid sequence", seq)
		}
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
		if d.Verdict != policy.Reject || len(d.Routes) > 0 {
			t.Fatalf("%q: verdict %s with %d routes, want a rejection", seq, d.Verdict, len(d.Routes))
		}
		if d.Reasons[0].Code != policy.CodeSTIXSyntax {
			t.Fatalf("%q: %+v, want %s", seq, d.Reasons, policy.CodeSTIXSyntax)
		}
	}
}

// TestRepeatedObjectsKeyIsRefused: an attacker's bundle with "objects"
// twice (one escaped) must not get one list decided and the other
// forwarded: it is refused whole.
func TestRepeatedObjectsKeyIsRefused(t *testing.T) {
	e := demoEngine(t)
	red, green := indicator("01", marked(red1)), indicator("02", marked(green1))
	for _, keys := range [][2]string{{`\u006fbjects`, "objects"}, {"objects", `\u006fbjects`}, {"objects", "objects"}} {
		b := []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","` +
			keys[0] + `":[` + red + `],"` + keys[1] + `":[` + green + `]}`)
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
		if d.Verdict != policy.Reject || len(d.Routes) > 0 {
			t.Fatalf("%q: %s with %d routes, want a rejection", keys, d.Verdict, len(d.Routes))
		}
	}
}

// TestObjectWithARepeatedKeyIsNeverForwarded: parts carry the sender's
// bytes, so an object whose bytes could be read two ways (a key twice:
// the policy reads the first, a recipient maybe the last) must be in no
// part at all.
func TestObjectWithARepeatedKeyIsNeverForwarded(t *testing.T) {
	e := demoEngine(t)
	twoMarkings := indicator("01", marked(green1)+","+marked(red1))
	for i, b := range [][]byte{bundleOf(twoMarkings, indicator("02", marked(green1))), []byte(twoMarkings)} {
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
		if i == 0 && len(d.Routes) == 0 {
			t.Fatalf("the clean indicator beside it must still be shared: %s %+v", d.Verdict, d.Reasons)
		}
		for _, r := range d.Routes {
			part, err := d.Part(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(part), red1) {
				t.Fatalf("%s part carries the object with two object_marking_refs: %s", r.TLP, part)
			}
		}
	}
}

// FuzzPartsAreExact: whatever Decide accepts leaves the hub as valid JSON
// whose objects are byte-equal to the submission's.
func FuzzPartsAreExact(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join(stixtest.SharedDir(f), "policy-cases", "*.json"))
	for _, c := range cases {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	f.Add(bundleOf(indicator("01", `"name":"\u0007 \u001b `+"\x7f \U000e0067 \u00a0 \ufeff"+`",`+marked(green1))), uint8(1))
	f.Add([]byte(indicator("02", marked(green1))), uint8(2))
	e := demoEngine(f)
	f.Fuzz(func(t *testing.T, bundle []byte, shape uint8) {
		req := policy.Request{Sender: []string{"bank-one", "le-alpha", "isp-two"}[shape%3], Bundle: bundle}
		if shape&4 != 0 {
			req.To = []string{"le-alpha", "cert-three"}
		}
		d := e.Decide(req)
		if len(d.Routes) == 0 {
			return
		}
		requireExactParts(t, d, bundle)
	})
}
