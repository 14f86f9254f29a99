// Package scan is a small JSON scanner for the two things the archive
// bridge needs from a shared part: the exact bytes of each element of a
// bundle's "objects", and the top-level "id", "type" and "modified" strings
// of each object. encoding/json took most of the bridge's CPU; this reads
// each byte once (objects and their heads in one pass) and copies nothing.
// It trusts that the hub sent valid JSON (it validated it), is lenient about
// some malformed input, and never panics.
package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

type scanner struct {
	b []byte
	i int
}

var errJSON = errors.New("malformed JSON")

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) expect(c byte) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return fmt.Errorf("%w: want %q at byte %d", errJSON, c, s.i)
	}
	s.i++
	return nil
}

// str reads a string and returns its raw contents (escapes not decoded).
// It jumps from quote to backslash with bytes.IndexByte rather than reading
// byte by byte: strings are most of a STIX object. Control characters in
// strings are not rejected (the hub validated the JSON).
func (s *scanner) str() ([]byte, bool, error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start, escaped, quote := s.i, false, -1
	for {
		if quote < s.i { // the first quote, or the last one was escaped
			q := bytes.IndexByte(s.b[s.i:], '"')
			if q < 0 {
				return nil, false, fmt.Errorf("%w: unterminated string", errJSON)
			}
			quote = s.i + q
		}
		bs := bytes.IndexByte(s.b[s.i:quote], '\\')
		if bs < 0 {
			s.i = quote + 1
			return s.b[start:quote], escaped, nil
		}
		escaped = true
		s.i += bs + 2
		if s.i > len(s.b) {
			return nil, false, fmt.Errorf("%w: unterminated string", errJSON)
		}
	}
}

// skip passes over one value of any kind.
func (s *scanner) skip() error {
	s.ws()
	if s.i >= len(s.b) {
		return fmt.Errorf("%w: value expected at byte %d", errJSON, s.i)
	}
	switch s.b[s.i] {
	case '"':
		_, _, err := s.str()
		return err
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return fmt.Errorf("%w: unterminated object or array", errJSON)
	default:
		start := s.i
	literal:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				break literal
			}
			s.i++
		}
		if s.i == start {
			return fmt.Errorf("%w: value expected at byte %d", errJSON, s.i)
		}
		return nil
	}
}

// members calls f for each member of the object at the scanner; f must
// consume the value.
func (s *scanner) members(f func(key []byte, escaped bool) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		key, esc, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := f(key, esc); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return fmt.Errorf("%w: unterminated object", errJSON)
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return fmt.Errorf("%w: want ',' or '}' at byte %d", errJSON, s.i)
		}
	}
}

func keyIs(key []byte, escaped bool, name string) bool {
	if !escaped {
		return string(key) == name
	}
	var k string
	return json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) == nil && k == name
}

// Object is one element of a bundle's "objects": its exact bytes and its
// top-level "id", "type" and "modified" (unescaped; nil when missing or not
// a string). Unescaped values are slices of the bundle, not copies.
type Object struct {
	Raw                []byte
	ID, Type, Modified []byte
}

// Bundle returns the elements of the bundle's "objects" with their heads,
// reading each byte of the body once. It appends to dst[:0].
func Bundle(body []byte, dst []Object) ([]Object, error) {
	s := &scanner{b: body}
	objects := dst[:0]
	err := s.members(func(key []byte, esc bool) error {
		if !keyIs(key, esc, "objects") {
			return s.skip()
		}
		objects = objects[:0] // a repeated member: the last one counts, as in encoding/json
		if err := s.expect('['); err != nil {
			return err
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return nil
		}
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '{' {
				return fmt.Errorf("/objects/%d is not an object", len(objects))
			}
			obj, err := s.object()
			if err != nil {
				return err
			}
			objects = append(objects, obj)
			s.ws()
			if s.i >= len(s.b) {
				return fmt.Errorf("%w: unterminated array", errJSON)
			}
			if s.b[s.i] == ']' {
				s.i++
				return nil
			}
			if s.b[s.i] != ',' {
				return fmt.Errorf("%w: want ',' or ']' at byte %d", errJSON, s.i)
			}
			s.i++
		}
	})
	if err != nil {
		return nil, err
	}
	if s.ws(); s.i != len(s.b) {
		return nil, fmt.Errorf("%w: data after the bundle at byte %d", errJSON, s.i)
	}
	return objects, nil
}

// object reads the object at the scanner: its bytes, and its head on the
// way through.
func (s *scanner) object() (Object, error) {
	var o Object
	start := s.i
	err := s.members(func(key []byte, esc bool) error {
		var dst *[]byte
		switch {
		case keyIs(key, esc, "id"):
			dst = &o.ID
		case keyIs(key, esc, "type"):
			dst = &o.Type
		case keyIs(key, esc, "modified"):
			dst = &o.Modified
		default:
			return s.skip()
		}
		*dst = nil
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.skip()
		}
		raw, escaped, err := s.str()
		if err != nil || !escaped {
			*dst = raw
			return err
		}
		var v string
		if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &v); err != nil {
			return err
		}
		*dst = []byte(v)
		return nil
	})
	o.Raw = s.b[start:s.i]
	return o, err
}
