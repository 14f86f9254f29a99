package audit

import (
	"encoding/json"
	"time"
)

// appendJSON appends r as json.Marshal writes it, byte for byte, without
// reflection: the hub encodes one record per submission.
func (r *Record) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"time":`...)
	b, err := appendJSONTime(b, r.Time)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"member":`...)
	b = appendJSONString(b, r.Member)
	b = append(b, `,"submission_id":`...)
	b = appendJSONString(b, r.Submission)
	b = append(b, `,"digest":`...)
	b = appendJSONString(b, r.Digest)
	b = append(b, `,"verdict":`...)
	b = appendJSONString(b, r.Verdict)
	b = append(b, `,"reason_codes":`...)
	b = appendJSONStrings(b, r.Reasons)
	b = append(b, `,"routes":`...)
	if r.Routes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, rt := range r.Routes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"tlp":`...)
			b = appendJSONString(b, rt.TLP)
			b = append(b, `,"scope":`...)
			b = appendJSONString(b, rt.Scope)
			b = append(b, `,"audience":`...)
			b = appendJSONStrings(b, rt.Audience)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"policy_version":`...)
	b = appendJSONString(b, r.PolicyVersion)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, r.Action)
	b = append(b, `,"actor":`...)
	b = appendJSONString(b, r.Actor)
	b = append(b, `,"prev":`...)
	b = appendJSONString(b, r.Prev)
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, r.Hash)
	return append(b, '}'), nil
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString quotes s as encoding/json does. Strings of printable
// ASCII that json escapes nothing in (ids, codes, hashes) are copied;
// anything else goes through json.Marshal, so the HTML, control-character
// and invalid UTF-8 escapes stay exactly its own. (hub/receipt.go has the
// same helper: the hub imports this package, not the other way round.)
func appendJSONString(b []byte, s string) []byte {
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

// appendJSONTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds). Times not in UTC, or with years it refuses, go through
// MarshalJSON itself, errors included.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); t.Location() != time.UTC || y < 0 || y > 9999 {
		q, err := t.MarshalJSON()
		return append(b, q...), err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}
