// Package jsonappend writes JSON values exactly as encoding/json does, by
// appending to a byte slice without reflection: for records the hub
// encodes once per submission (receipts, audit records).
package jsonappend

import (
	"encoding/json"
	"time"
)

// String quotes s as encoding/json does. Strings of printable ASCII that
// json escapes nothing in (ids, codes, hashes, most messages) are copied;
// anything else goes through json.Marshal, so the HTML, control-character
// and invalid UTF-8 escapes stay exactly its own.
func String(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Strings writes ss as a JSON array of strings, or null for a nil slice.
func Strings(b []byte, ss []string) []byte { return Array(b, ss, String) }

// Time writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds). Times not in UTC, or with years it refuses, go through
// MarshalJSON itself, errors included.
func Time(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); t.Location() != time.UTC || y < 0 || y > 9999 {
		q, err := t.MarshalJSON()
		return append(b, q...), err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// Array writes xs as a JSON array, each element by elem, or null for a nil
// slice (as encoding/json does).
func Array[T any](b []byte, xs []T, elem func([]byte, T) []byte) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, ']')
}
