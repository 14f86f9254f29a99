package schemas

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// seg is one step of the path from the document root to the value being
// checked: an object key (key, or skey for keys known in advance), or an
// array index.
type seg struct {
	key   []byte
	skey  string
	idx   int
	isIdx bool
}

func (s seg) name() string {
	if s.key != nil {
		return string(s.key)
	}
	return s.skey
}

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

func (c *checker) push(key []byte)  { c.segs = append(c.segs, seg{key: key}) }
func (c *checker) pushS(key string) { c.segs = append(c.segs, seg{skey: key}) }
func (c *checker) pushIdx(i int)    { c.segs = append(c.segs, seg{idx: i, isIdx: true}) }
func (c *checker) pop()             { c.segs = c.segs[:len(c.segs)-1] }

// pointer is the RFC 6901 pointer of the current value.
func (c *checker) pointer() string {
	var b strings.Builder
	for _, s := range c.segs {
		b.WriteByte('/')
		if s.isIdx {
			b.WriteString(strconv.Itoa(s.idx))
			continue
		}
		for _, ch := range s.name() {
			switch ch {
			case '~':
				b.WriteString("~0")
			case '/':
				b.WriteString("~1")
			default:
				b.WriteRune(ch)
			}
		}
	}
	return b.String()
}

// label names the current value inside its object for messages:
// "created", "external_references[0].url", or "object" at the object root.
func (c *checker) label() string {
	from := c.base
	if c.obj < 0 {
		from = 0
	}
	var b strings.Builder
	for _, s := range c.segs[from:] {
		if s.isIdx {
			b.WriteString("[" + strconv.Itoa(s.idx) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name())
	}
	if b.Len() == 0 {
		if c.obj < 0 {
			return "document"
		}
		return "object"
	}
	return b.String()
}

func (c *checker) add(sev Severity, rule, msg string) {
	f := Finding{Severity: sev, Object: c.obj, Pointer: c.pointer(), Rule: rule, Message: msg}
	if sev == SeverityError {
		c.rep.Errors = append(c.rep.Errors, f)
	} else {
		c.rep.Warnings = append(c.rep.Warnings, f)
	}
}

// fail reports an error about the current value: "<label>: <detail>".
func (c *checker) fail(rule, detail string) { c.add(SeverityError, rule, c.label()+": "+detail) }

// warn reports a warning about the current value.
func (c *checker) warn(rule, detail string) { c.add(SeverityWarning, rule, c.label()+": "+detail) }

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
	label := c.childLabel(key)
	if o != nil && o.Get(key) != nil {
		c.pushS(key)
		defer c.pop()
	}
	c.add(sev, rule, label+": "+detail)
}

func (c *checker) childLabel(key string) string {
	l := c.label()
	if l == "object" || l == "document" {
		return key
	}
	return l + "." + key
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
