package scan

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Package scan is a small JSON scanner for the two things the archive
// bridge needs from a shared part: the exact bytes of each element of a
// bundle's "objects", and the top-level "id", "type" and "modified" strings
// of each object. encoding/json took most of the bridge's CPU; this reads
// each byte once and copies nothing. It trusts that the hub sent valid JSON
// (it validated it), is lenient about some malformed input, and never panics.

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
func (s *scanner) str() ([]byte, bool, error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start, escaped := s.i, false
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '\\':
			escaped = true
			s.i += 2
		case c == '"':
			s.i++
			return s.b[start : s.i-1], escaped, nil
		case c < 0x20:
			return nil, false, fmt.Errorf("%w: control character in string at byte %d", errJSON, s.i)
		default:
			s.i++
		}
	}
	return nil, false, fmt.Errorf("%w: unterminated string", errJSON)
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

// Objects returns the exact bytes of each element of the bundle's
// "objects" array.
func Objects(body []byte) ([][]byte, error) {
	s := &scanner{b: body}
	var objects [][]byte
	err := s.members(func(key []byte, esc bool) error {
		if !keyIs(key, esc, "objects") {
			return s.skip()
		}
		objects = objects[:0]
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
			start := s.i
			if s.i >= len(s.b) || s.b[s.i] != '{' {
				return fmt.Errorf("/objects/%d is not an object", len(objects))
			}
			if err := s.skip(); err != nil {
				return err
			}
			objects = append(objects, s.b[start:s.i])
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

// Head is what the bridge reads of an object.
type Head struct{ ID, Type, Modified string }

// HeadOf reads the top-level "id", "type" and "modified" of an object
// (exact bytes from Objects); any of them that is not a string is "".
func HeadOf(obj []byte) (Head, error) {
	var h Head
	s := &scanner{b: obj}
	err := s.members(func(key []byte, esc bool) error {
		var dst *string
		switch {
		case keyIs(key, esc, "id"):
			dst = &h.ID
		case keyIs(key, esc, "type"):
			dst = &h.Type
		case keyIs(key, esc, "modified"):
			dst = &h.Modified
		default:
			return s.skip()
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			*dst = ""
			return s.skip()
		}
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		if !escaped {
			*dst = string(raw)
			return nil
		}
		return json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), dst)
	})
	return h, err
}
