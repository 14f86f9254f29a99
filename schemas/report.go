package schemas

import (
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"
)

// seg is one step of the path from the document root to the value being
// checked: an object key, or an array index (idx >= 0). It is pushed for
// every property checked, so it is kept small: a key from the document is
// viewed as a string without a copy (the checker drops its path before
// the document's memory is reused).
type seg struct {
	key string
	idx int // -1 for a key
}

func (s seg) name() string { return s.key }
func (s seg) isIdx() bool  { return s.idx >= 0 }

// checker carries the state of one validation: the report, the index of
// the object being checked and the path to the current value. Pointers and
// messages are built only when a finding is reported, so the happy path
// allocates nothing.
type checker struct {
	v    *Validator
	d    *Document
	rep  *Report
	obj  int   // index into d.Objects, -1 for the envelope
	base int   // len(segs) at the current object's root
	segs []seg // path from the document root
	cur  *objState
	// state is the storage cur points to while an object is checked.
	state objState
	// container is observed-data's deprecated objects dictionary while its
	// cyber-observables are checked: references there are its keys.
	container *fastjson.Object
	// customs collects the custom property names of the object being
	// checked, reported together by checkProps.
	customs [][]byte
}

// checkers recycles checkers: one escapes to the heap per document, and
// its path buffer with it.
var checkers = sync.Pool{New: func() any { return &checker{segs: make([]seg, 0, 16)} }}

func newChecker(v *Validator, d *Document, rep *Report) *checker {
	c := checkers.Get().(*checker)
	*c = checker{v: v, d: d, rep: rep, obj: -1, segs: c.segs[:0], customs: c.customs[:0]}
	return c
}

// recycle drops every reference into the document (so it can be
// collected) and hands c back.
func (c *checker) recycle() {
	segs, customs := c.segs[:cap(c.segs)], c.customs[:cap(c.customs)]
	clear(segs)
	clear(customs)
	*c = checker{segs: segs[:0], customs: customs[:0]}
	checkers.Put(c)
}

func (c *checker) push(key []byte) {
	c.segs = append(c.segs, seg{key: unsafe.String(unsafe.SliceData(key), len(key)), idx: -1})
}
func (c *checker) pushS(key string) { c.segs = append(c.segs, seg{key: key, idx: -1}) }
func (c *checker) pushIdx(i int)    { c.segs = append(c.segs, seg{idx: i}) }
func (c *checker) pop()             { c.segs = c.segs[:len(c.segs)-1] }

// pointer is the RFC 6901 pointer of the current value.
func (c *checker) pointer() string {
	var buf [128]byte
	return string(c.appendPointer(buf[:0]))
}

func (c *checker) appendPointer(b []byte) []byte {
	for _, s := range c.segs {
		b = append(b, '/')
		if s.isIdx() {
			b = strconv.AppendInt(b, int64(s.idx), 10)
			continue
		}
		b = appendPointerToken(b, s.key)
	}
	return b
}

// appendPointerToken escapes ~ and / (RFC 6901); invalid UTF-8 becomes
// U+FFFD so a pointer is always valid text.
func appendPointerToken[T string | []byte](b []byte, name T) []byte {
	for i := 0; i < len(name); {
		switch ch := name[i]; {
		case ch == '~':
			b = append(b, "~0"...)
		case ch == '/':
			b = append(b, "~1"...)
		case ch < utf8.RuneSelf:
			b = append(b, ch)
		default:
			r, size := utf8.DecodeRuneInString(string(name[i:min(len(name), i+utf8.UTFMax)]))
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		i++
	}
	return b
}

func (c *checker) appendLabel(b []byte) []byte {
	from := c.base
	if c.obj < 0 {
		from = 0
	}
	start := len(b)
	for _, s := range c.segs[from:] {
		if s.isIdx() {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.idx), 10)
			b = append(b, ']')
			continue
		}
		if len(b) > start {
			b = append(b, '.')
		}
		b = append(b, s.key...)
	}
	if len(b) == start {
		if c.obj < 0 {
			return append(b, "document"...)
		}
		return append(b, "object"...)
	}
	return b
}

func (c *checker) add(sev Severity, rule, msg string) {
	f := Finding{Severity: sev, Object: c.obj, Pointer: c.pointer(), Rule: rule, Message: msg}
	if sev == SeverityError {
		c.rep.Errors = append(c.rep.Errors, f)
	} else {
		c.rep.Warnings = append(c.rep.Warnings, f)
	}
}

// about is "<label>: <detail>", the message of a finding on the current
// value, built in one allocation.
func (c *checker) about(detail string) string {
	var buf [256]byte
	b := c.appendLabel(buf[:0])
	b = append(b, ": "...)
	return string(append(b, detail...))
}

// fail reports an error about the current value: "<label>: <detail>".
func (c *checker) fail(rule, detail string) { c.add(SeverityError, rule, c.about(detail)) }

// warn reports a warning about the current value.
func (c *checker) warn(rule, detail string) { c.add(SeverityWarning, rule, c.about(detail)) }

// failKey reports an error about property key of o, the current object:
// the pointer names the property when it is present, and stays on the
// object when it is missing.
func (c *checker) failKey(o *fastjson.Object, key, rule, detail string) {
	c.addKey(o, SeverityError, key, rule, detail)
}

func (c *checker) warnKey(o *fastjson.Object, key, rule, detail string) {
	c.addKey(o, SeverityWarning, key, rule, detail)
}

func (c *checker) addKey(o *fastjson.Object, sev Severity, key, rule, detail string) {
	var buf [256]byte
	b := c.appendChildLabel(buf[:0], key)
	b = append(b, ": "...)
	msg := string(append(b, detail...))
	if o != nil && o.Get(key) != nil {
		c.pushS(key)
		defer c.pop()
	}
	c.add(sev, rule, msg)
}

// appendChildLabel appends the label of property key of the current value.
func (c *checker) appendChildLabel(b []byte, key string) []byte {
	start := len(b)
	b = c.appendLabel(b)
	if l := string(b[start:]); l == "object" || l == "document" {
		b = b[:start]
	} else {
		b = append(b, '.')
	}
	return append(b, key...)
}

// arrayOf is v's elements, or nil when v is missing or not a list
// (fastjson's Array panics on a nil Value).
func arrayOf(v *fastjson.Value) []*fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	a, _ := v.Array()
	return a
}

// quote renders a value for a message, shortened if long.
func quote(b []byte) string {
	const maxLen = 80
	if len(b) > maxLen {
		return strconv.Quote(string(b[:maxLen])) + "..."
	}
	return strconv.Quote(string(b))
}

// show renders any JSON value for a message, shortened if long.
func show(v *fastjson.Value) string {
	if v.Type() == fastjson.TypeString {
		return quote(v.GetStringBytes())
	}
	s := v.String()
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

func typeName(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeObject:
		return "an object"
	case fastjson.TypeArray:
		return "a list"
	case fastjson.TypeString:
		return "a string"
	case fastjson.TypeNumber:
		return "a number"
	case fastjson.TypeTrue, fastjson.TypeFalse:
		return "a boolean"
	}
	return "null"
}
