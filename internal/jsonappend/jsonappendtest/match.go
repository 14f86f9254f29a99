// Package jsonappendtest checks a hand-written JSON encoder against
// encoding/json, for the tests of the types that have one.
package jsonappendtest

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// RequireMarshalEqual requires that appendJSON appends, after a prefix it
// must keep, exactly what json.Marshal(v) writes, that this is RFC 8259
// JSON text, and that it fails where json.Marshal fails.
func RequireMarshalEqual(t testing.TB, v any, appendJSON func([]byte) ([]byte, error)) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := appendJSON([]byte("prefix"))
	if wantErr != nil {
		require.Error(t, err, "json.Marshal failed with %v", wantErr)
		return
	}
	require.NoError(t, err)
	require.Equal(t, "prefix"+string(want), string(got))
	RequireJSONText(t, got[len("prefix"):])
}

// RequireJSONText requires b to be RFC 8259 JSON text: valid for
// encoding/json, and UTF-8 (which encoding/json does not check).
func RequireJSONText(t testing.TB, b []byte) {
	t.Helper()
	if !json.Valid(b) || !utf8.Valid(b) {
		t.Fatalf("not RFC 8259 JSON text: %.300q", b)
	}
}

// EveryRune is text for encoders to write: every code point from U+0000 to
// U+10FFFF (surrogates, which a Go string cannot hold, as their three-byte
// encodings, an invalid sequence), in strings of at most 4096 runes,
// followed by invalid UTF-8 sequences one per string.
func EveryRune() []string {
	var out []string
	var b []byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			b = append(b, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
		} else {
			b = utf8.AppendRune(b, r)
		}
		if r%4096 == 4095 {
			out, b = append(out, string(b)), b[:0]
		}
	}
	for _, seq := range []string{"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xf0\x80\x80\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xe2\x82", "\xf0\x9f\x98", "a\xe2\x82"} {
		out = append(out, "x"+seq+"y", seq)
	}
	return out
}
