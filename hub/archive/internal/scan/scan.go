// Package scan is a small JSON scanner for the two things the archive
// bridge needs from a shared part: the exact bytes of each element of a
// bundle's "objects", and the top-level "id", "type" and "modified" strings
// of each object. encoding/json took most of the bridge's CPU; this reads
// each byte once (objects and their heads in one pass) and copies nothing.
//
// Hub parts are compact bundles of small objects with many short members,
// so the cost is per member, not per byte: the loops work on a local index
// (no closures, no scanner state behind a pointer), whitespace is tested
// with one compare before any loop, keys are matched by length first, and
// strings are searched eight bytes at a time (lex.go).
//
// It trusts that the hub sent valid JSON (it validated it), is lenient about
// some malformed input, never panics and never reads past the end.
package scan

import (
	"encoding/json"
	"errors"
	"fmt"
)

var errJSON = errors.New("malformed JSON")

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
	b, objects := body, dst[:0]
	i, empty, err := open(b, 0, '{')
	for !empty && err == nil {
		var key []byte
		var esc bool
		if key, esc, i, err = memberKey(b, i); err != nil {
			break
		}
		if keyIs(key, esc, "objects") {
			// a repeated member: the last one counts, as in encoding/json
			objects, i, err = objectList(b, i, objects[:0])
		} else {
			i, err = skip(b, i)
		}
		if err == nil {
			i, empty, err = next(b, i, '}', "object")
		}
	}
	if err != nil {
		return nil, err
	}
	if i = ws(b, i); i != len(b) {
		return nil, fmt.Errorf("%w: data after the bundle at byte %d", errJSON, i)
	}
	return objects, nil
}

// objectList appends the elements of the array at b[i:], each an object.
func objectList(b []byte, i int, objects []Object) ([]Object, int, error) {
	i, end, err := open(b, i, '[')
	for !end && err == nil {
		if i = ws(b, i); i >= len(b) || b[i] != '{' {
			return nil, i, fmt.Errorf("/objects/%d is not an object", len(objects))
		}
		var o Object
		if o, i, err = object(b, i); err == nil {
			objects = append(objects, o)
			i, end, err = next(b, i, ']', "array")
		}
	}
	return objects, i, err
}

// object reads the object at b[i] ('{'): its bytes, and its head on the
// way through. It is the hot loop: one pass over each member.
func object(b []byte, i int) (o Object, _ int, err error) {
	start := i
	i, end, err := open(b, i, '{')
	for !end && err == nil {
		var key []byte
		var esc bool
		if key, esc, i, err = memberKey(b, i); err != nil {
			break
		}
		if field := o.headField(key, esc); field != nil {
			i, err = headValue(b, i, field)
		} else if i < len(b) && b[i] == '"' { // most values: skip's dispatch, saved
			_, _, i, err = str(b, i)
		} else {
			i, err = skip(b, i)
		}
		if err == nil {
			i, end, err = next(b, i, '}', "object")
		}
	}
	if err != nil {
		return Object{}, i, err
	}
	o.Raw = b[start:i]
	return o, i, nil
}

// headField is where the value of member key goes, or nil when it is not
// part of the head. Comparing lengths first settles most keys at once.
func (o *Object) headField(key []byte, esc bool) *[]byte {
	if esc {
		return o.headFieldEscaped(key)
	}
	switch len(key) {
	case 2:
		if key[0] == 'i' && key[1] == 'd' {
			return &o.ID
		}
	case 4:
		if string(key) == "type" {
			return &o.Type
		}
	case 8:
		if string(key) == "modified" {
			return &o.Modified
		}
	}
	return nil
}

func (o *Object) headFieldEscaped(key []byte) *[]byte {
	switch {
	case keyIs(key, true, "id"):
		return &o.ID
	case keyIs(key, true, "type"):
		return &o.Type
	case keyIs(key, true, "modified"):
		return &o.Modified
	}
	return nil
}

// headValue stores the string at b[i:] in *field, unescaped; a value of
// another kind is skipped and leaves nil (a repeated member: the last one
// counts).
func headValue(b []byte, i int, field *[]byte) (int, error) {
	*field = nil
	if i >= len(b) || b[i] != '"' {
		return skip(b, i)
	}
	raw, escaped, i, err := str(b, i)
	if err != nil || !escaped {
		*field = raw
		return i, err
	}
	var v string
	if err := json.Unmarshal(quoted(raw), &v); err != nil {
		return i, err
	}
	*field = []byte(v)
	return i, nil
}

func keyIs(key []byte, escaped bool, name string) bool {
	if !escaped {
		return string(key) == name
	}
	var k string
	return json.Unmarshal(quoted(key), &k) == nil && k == name
}

func quoted(raw []byte) []byte { return append(append([]byte{'"'}, raw...), '"') }
