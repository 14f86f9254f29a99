package schemas

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"sync"
	"unicode/utf8"
)

// scanError is where and why the pre-scan stopped.
type scanError struct {
	off   int
	msg   string
	depth bool // the depth limit, not a syntax error
}

// scanner checks in one pass that data is exactly well-formed JSON (RFC
// 8259: structure, numbers, string escapes, no raw control characters,
// valid UTF-8) and no deeper than maxDepth. fastjson is lenient about all
// of these, so only scanned input reaches it.
type scanner struct {
	data     []byte
	pos      int
	maxDepth int
	err      *scanError
	// keys holds the raw keys of the objects being scanned, innermost
	// last, to spot duplicate keys on the way.
	keys []span
	// dupSuspect: a duplicate key was seen, or a key the raw comparison
	// cannot judge (escapes, very large objects); the validator then walks
	// the tree to report duplicates with their pointers.
	dupSuspect bool
	// escaped: the last string scanned had an escape sequence.
	escaped bool
	// values counts the JSON values fastjson keeps in its value cache (all
	// but true, false and null, which it shares) to size that cache.
	values int
	// containers are the non-empty objects and arrays in document order,
	// with their sizes, to size their member lists before fastjson parses
	// the whole document (only when sizes is set: Check parses objects one
	// by one, and for a large bundle the list alone is megabytes).
	containers []containerSize
	sizes      bool
	// root is where the top-level value stands in data; objects are the
	// elements of the root's first "objects" member (the one fastjson's Get
	// finds), when that is an array: the spans the parts are cut from.
	root        span
	objects     []span
	objectsList span // the whole "objects" array, brackets included
	objectsSeen bool // the root's "objects" key was met
	objectsNext bool // the next container scanned is that key's value
	// objectsTwice: the root has "objects" more than once (escaped or
	// not). Which one fastjson reads then depends on its history, so no
	// spans are given (the document is refused for the duplicate anyway).
	objectsTwice bool
	// tape records the values inside the root's objects, for Check to
	// build each object's tree from without parsing it again (tape.go),
	// when taping is set (not with sizes); objectTapes is where each
	// object's values start in it.
	tape        []tapeEntry
	tapeMem     *tapeMemory // where tape is, when outside the Go heap
	objectTapes []int
	taping      bool
}

// containerSize is a non-empty object or array: the index of its value in
// document order (fastjson's cache order) and its number of members.
type containerSize struct {
	at, n  int
	object bool
}

type span struct{ start, end int }

// maxKeyCompare bounds the pairwise key comparison per object; larger
// objects are left to the tree walk.
const maxKeyCompare = 64

// scanResult is what a successful scan learnt about the document.
type scanResult struct {
	dupSuspect bool            // it may hold duplicate keys
	values     int             // number of JSON values in fastjson's cache
	containers []containerSize // valid until the scanner is released
	root       span            // the top-level value
	objects    []span          // the root's "objects" elements; valid until the scanner is released
	// objectsList is the "objects" array with its brackets (zero when the
	// root has no "objects" array).
	objectsList span
	objectsOK   bool // objects can be trusted: "objects" was not repeated
	// tape and objectTapes: see scanner; valid until the scanner is
	// released, empty with sizes.
	tape        []tapeEntry
	objectTapes []int
}

// scanners recycles the scanners' key and container lists.
var scanners = sync.Pool{New: func() any {
	return &scanner{keys: make([]span, 0, 64), containers: make([]containerSize, 0, 256), objects: make([]span, 0, 64)}
}}

// scanJSONKeys scans data and also says whether it may hold duplicate keys
// and, with sizes, how big its containers are, without, the tape of the
// root's objects. Hand the scanner back with releaseScanner once the result
// is no longer used.
func scanJSONKeys(data []byte, maxDepth int, sizes bool) (*scanner, scanResult, *scanError) {
	s := scanners.Get().(*scanner)
	*s = scanner{data: data, maxDepth: maxDepth, keys: s.keys[:0], containers: s.containers[:0], sizes: sizes, objects: s.objects[:0],
		tape: s.tape[:0], tapeMem: s.tapeMem, objectTapes: s.objectTapes[:0]}
	if !sizes {
		s.presizeTape(len(data))
	}
	if ok, err := s.run(); !ok {
		return s, scanResult{}, err
	}
	return s, scanResult{dupSuspect: s.dupSuspect, values: s.values, containers: s.containers,
		root: s.root, objects: s.objects, objectsList: s.objectsList, objectsOK: !s.objectsTwice,
		tape: s.tape, objectTapes: s.objectTapes}, nil
}

// releaseScanner returns s to the pool; very large lists are dropped.
func releaseScanner(s *scanner) {
	if cap(s.containers) > 1<<16 || cap(s.objects) > 1<<16 || cap(s.tape) > 1<<22 {
		return
	}
	s.data, s.err = nil, nil
	scanners.Put(s)
}

func (s *scanner) run() (bool, *scanError) {
	data := s.data
	s.skipWS()
	if s.pos >= len(data) {
		return false, &scanError{off: s.pos, msg: "unexpected end of input, expected a value"}
	}
	start := s.pos
	if !s.value(0) {
		return false, s.err
	}
	s.root = span{start, s.pos}
	s.skipWS()
	if s.pos < len(data) {
		return false, &scanError{off: s.pos, msg: fmt.Sprintf("unexpected %s after the top-level value", describeByte(data, s.pos))}
	}
	return true, nil
}

// noteKey compares the key data[ks:ke] with the earlier keys of the same
// object (those from index first on) and records it. seen is the object's
// filter of key hashes (one bit each): only a key whose bit is already set
// is compared with the others.
func (s *scanner) noteKey(first, ks, ke int, seen *uint64) {
	if s.dupSuspect {
		return
	}
	key := s.data[ks:ke]
	if s.escaped || len(s.keys)-first >= maxKeyCompare {
		s.dupSuspect = true
		return
	}
	bit := uint64(1)
	if n := len(key); n > 0 {
		bit <<= (uint(n)*7 + uint(key[0])*3 + uint(key[n/2])*5 + uint(key[n-1])) & 63
	}
	if *seen&bit != 0 {
		for _, k := range s.keys[first:] {
			if k.end-k.start == len(key) && string(s.data[k.start:k.end]) == string(key) {
				s.dupSuspect = true
				return
			}
		}
	}
	*seen |= bit
	s.keys = append(s.keys, span{ks, ke})
}

func (s *scanner) fail(msg string) bool {
	s.err = &scanError{off: s.pos, msg: msg}
	return false
}

func (s *scanner) unexpected(want string) bool {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of input, expected " + want)
	}
	return s.fail(fmt.Sprintf("unexpected %s, expected %s", describeByte(s.data, s.pos), want))
}

func (s *scanner) skipWS() {
	d, i := s.data, s.pos
	for i < len(d) {
		switch d[i] {
		case ' ':
			// Pretty-printed documents indent with runs of spaces.
			if i+8 <= len(d) && binary.LittleEndian.Uint64(d[i:]) == 0x2020202020202020 {
				i += 8
				continue
			}
			i++
		case '\n', '\t', '\r':
			i++
		default:
			s.pos = i
			return
		}
	}
	s.pos = i
}

func (s *scanner) value(depth int) bool {
	if s.pos >= len(s.data) {
		return s.unexpected("a value")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		s.values++
		return s.object(depth + 1)
	case c == '[':
		s.values++
		return s.array(depth + 1)
	case c == '"':
		s.values++
		start := s.pos + 1
		if !s.str() {
			return false
		}
		s.record(tapeString, start, s.pos-1)
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		s.values++
		start := s.pos
		if !s.number() {
			return false
		}
		s.record(tapeNumber, start, s.pos)
		return true
	case c == 't':
		s.record(tapeTrue, 0, 0)
		return s.literal("true")
	case c == 'f':
		s.record(tapeFalse, 0, 0)
		return s.literal("false")
	case c == 'n':
		s.record(tapeNull, 0, 0)
		return s.literal("null")
	}
	return s.unexpected("a value")
}

func (s *scanner) literal(lit string) bool {
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return true
	}
	return s.fail("invalid literal, expected " + lit)
}

func (s *scanner) tooDeep() bool {
	s.err = &scanError{off: s.pos, depth: true,
		msg: fmt.Sprintf("nesting deeper than the limit of %d", s.maxDepth)}
	return false
}

func (s *scanner) object(depth int) bool {
	if depth > s.maxDepth {
		return s.tooDeep()
	}
	// The root's "objects" is not an array: it gives no spans.
	s.objectsNext = false
	at := s.record(tapeObject, 0, 0)
	s.pos++ // {
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return true
	}
	first, self := len(s.keys), -1
	if s.sizes {
		s.containers = append(s.containers, containerSize{at: s.values - 1, object: true})
		self = len(s.containers) - 1
	}
	ok := s.members(depth, first, self, at)
	s.keys = s.keys[:first]
	return ok
}

// members scans an object's members; tapeAt is the object's tape entry
// (-1 when not taping).
func (s *scanner) members(depth, first, self, tapeAt int) bool {
	var seen uint64
	for {
		if self >= 0 {
			s.containers[self].n++
		}
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.unexpected("a string key")
		}
		ks := s.pos + 1
		if !s.str() {
			return false
		}
		if tapeAt >= 0 {
			s.tape[tapeAt].n++ // a member
			s.record(tapeString, ks, s.pos-1)
		}
		s.noteKey(first, ks, s.pos-1, &seen)
		if depth == 1 && s.isObjectsKey(ks, s.pos-1) {
			s.objectsTwice = s.objectsSeen
			s.objectsSeen, s.objectsNext = true, !s.objectsSeen
		}
		s.skipWS()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.unexpected("':'")
		}
		s.pos++
		s.skipWS()
		if !s.value(depth) {
			return false
		}
		s.objectsNext = false // the value was a string, number or literal
		s.skipWS()
		if s.pos >= len(s.data) {
			return s.unexpected("',' or '}'")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipWS()
		case '}':
			s.pos++
			return true
		default:
			return s.unexpected("',' or '}'")
		}
	}
}

func (s *scanner) array(depth int) bool {
	if depth > s.maxDepth {
		return s.tooDeep()
	}
	objects := s.objectsNext
	s.objectsNext = false
	at := s.record(tapeArray, 0, 0)
	open := s.pos
	s.pos++ // [
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		if objects {
			s.objectsList = span{open, s.pos}
		}
		return true
	}
	self := -1
	if s.sizes {
		s.containers = append(s.containers, containerSize{at: s.values - 1})
		self = len(s.containers) - 1
	}
	for {
		if self >= 0 {
			s.containers[self].n++
		}
		if at >= 0 {
			s.tape[at].n++ // an element
		}
		start := s.pos
		if objects && !s.sizes {
			s.objectTapes = append(s.objectTapes, len(s.tape))
			s.taping = true
		}
		if !s.value(depth) {
			return false
		}
		if objects {
			s.objects = append(s.objects, span{start, s.pos})
			s.taping = false
		}
		s.skipWS()
		if s.pos >= len(s.data) {
			return s.unexpected("',' or ']'")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipWS()
		case ']':
			s.pos++
			if objects {
				s.objectsList = span{open, s.pos}
			}
			return true
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

// isObjectsKey reports whether the key data[ks:ke] (the last string
// scanned) is "objects", escapes decoded as fastjson decodes them.
func (s *scanner) isObjectsKey(ks, ke int) bool {
	if !s.escaped {
		return string(s.data[ks:ke]) == "objects"
	}
	var k string
	return json.Unmarshal(s.data[ks-1:ke+1], &k) == nil && k == "objects"
}

// plainByte marks the string bytes that need no attention: not a quote,
// backslash, control character or start of a multi-byte UTF-8 sequence.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// specialBytes has the high bit set in the bytes of x (little-endian) that
// are a quote, a backslash, a control character or non-ASCII (SWAR: the
// classic has-zero-byte and has-less-than tricks). Borrows may also mark
// bytes after a special one, never before, so the lowest mark is exact.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	special := (quote - ones) &^ quote
	special |= (backslash - ones) &^ backslash
	special |= (x - ones*0x20) &^ x // bytes below 0x20
	special |= x                    // bytes of 0x80 and above
	return special & highs
}

// plainWord reports whether none of the 8 bytes in x needs attention.
func plainWord(x uint64) bool { return specialBytes(x) == 0 }

func (s *scanner) str() bool {
	s.escaped = false
	d, i := s.data, s.pos+1 // after the opening quote
	for {
		// Eight bytes at a time to the first that needs attention: most
		// of a document is string text.
		for i+8 <= len(d) {
			if m := specialBytes(binary.LittleEndian.Uint64(d[i:])); m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(d) && plainByte[d[i]] {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return s.fail("unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			s.escaped = true
			if i+1 >= len(d) {
				s.pos = i + 1
				return s.unexpected("an escape character")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || !isHex4(d[i+2:i+6]) {
					s.pos = i
					return s.fail(`invalid \u escape in string (need 4 hex digits)`)
				}
				i += 6
			default:
				s.pos = i
				return s.fail(fmt.Sprintf("invalid escape %q in string", string(d[i:i+2])))
			}
		case c < 0x20:
			s.pos = i
			return s.fail(fmt.Sprintf("control character 0x%02x in string (must be escaped)", c))
		default: // non-ASCII
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				s.pos = i
				return s.fail("invalid UTF-8 in string")
			}
			i += size
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (s *scanner) number() bool {
	d := s.data
	if d[s.pos] == '-' {
		s.pos++
	}
	if s.pos >= len(d) {
		return s.unexpected("a digit")
	}
	if d[s.pos] == '0' {
		s.pos++
	} else if d[s.pos] >= '1' && d[s.pos] <= '9' {
		s.digits()
	} else {
		return s.unexpected("a digit")
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if s.pos >= len(d) || d[s.pos] < '0' || d[s.pos] > '9' {
			return s.unexpected("a digit after '.'")
		}
		s.digits()
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(d) || d[s.pos] < '0' || d[s.pos] > '9' {
			return s.unexpected("a digit in the exponent")
		}
		s.digits()
	}
	return true
}

func (s *scanner) digits() {
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
}

// describeByte names the byte at off for an error message.
func describeByte(data []byte, off int) string {
	c := data[off]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character %q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// lineCol turns a byte offset into a 1-based line and column (in bytes).
func lineCol(data []byte, off int) (line, col int) {
	line, col = 1, 1
	if off > len(data) {
		off = len(data)
	}
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
