package scan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Every function here takes the body and an index into it and returns the
// index after what it read: locals stay in registers, which a scanner
// struct behind a pointer did not.

// ws returns the index of the first byte at or after i that is not JSON
// whitespace. Hub parts are compact, so the first compare usually ends it.
func ws(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// open reads the opening delimiter c ('{' or '[') and reports whether the
// object or array is empty (its closing delimiter read too).
func open(b []byte, i int, c byte) (_ int, empty bool, _ error) {
	if i = ws(b, i); i >= len(b) || b[i] != c {
		return i, false, fmt.Errorf("%w: want %q at byte %d", errJSON, c, i)
	}
	if i = ws(b, i+1); i < len(b) && b[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
		return i + 1, true, nil
	}
	return i, false, nil
}

// next reads the ',' between members or elements, or the closing delimiter
// (and reports the end); what names the container for the error. Small
// enough to be inlined, for compact JSON.
func next(b []byte, i int, closing byte, what string) (_ int, end bool, _ error) {
	if i < len(b) && b[i] == ',' {
		return i + 1, false, nil
	}
	if i < len(b) && b[i] == closing {
		return i + 1, true, nil
	}
	return nextSpaced(b, i, closing, what)
}

func nextSpaced(b []byte, i int, closing byte, what string) (_ int, end bool, _ error) {
	if i = ws(b, i); i >= len(b) {
		return i, false, fmt.Errorf("%w: unterminated %s", errJSON, what)
	}
	switch b[i] {
	case ',':
		return i + 1, false, nil
	case closing:
		return i + 1, true, nil
	}
	return i, false, fmt.Errorf("%w: want ',' or '%c' at byte %d", errJSON, closing, i)
}

// memberKey reads a member's key and its ':', and returns the index of the
// value.
func memberKey(b []byte, i int) (key []byte, escaped bool, _ int, err error) {
	if i = ws(b, i); i >= len(b) || b[i] != '"' {
		return nil, false, i, fmt.Errorf("%w: want '\"' at byte %d", errJSON, i)
	}
	if key, escaped, i, err = str(b, i); err != nil {
		return nil, false, i, err
	}
	if i = ws(b, i); i >= len(b) || b[i] != ':' {
		return nil, false, i, fmt.Errorf("%w: want ':' at byte %d", errJSON, i)
	}
	return key, escaped, ws(b, i+1), nil
}

// str reads the string whose opening quote is b[i] and returns its raw
// contents (escapes not decoded). A backslash escapes the byte after it.
// Control characters in strings are not rejected (the hub validated the
// JSON).
//
// It tests eight bytes per step (a zero byte of w^c marks c): hub strings
// are short, where a bytes.IndexByte call for each of '"' and '\\' costs
// more than it saves.
func str(b []byte, i int) (_ []byte, escaped bool, _ int, _ error) {
	start := i + 1
	for i = start; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^('"'*lows), w^('\\'*lows)
		// The lowest high bit of (x-lows)&^x marks x's first zero byte
		// exactly (borrows only reach bytes above it).
		m := ((q-lows)&^q | (bs-lows)&^bs) & highs
		if m == 0 {
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if b[i] == '"' {
			return b[start:i], escaped, i + 1, nil
		}
		escaped = true
		i -= 6 // past the escaped byte: +2, less the loop's +8
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			return b[start:i], escaped, i + 1, nil
		case '\\':
			escaped = true
			i++
		}
	}
	return nil, false, len(b), errUnterminated
}

var errUnterminated = fmt.Errorf("%w: unterminated string", errJSON)

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skip passes over one value of any kind.
func skip(b []byte, i int) (int, error) {
	if i = ws(b, i); i >= len(b) {
		return i, fmt.Errorf("%w: value expected at byte %d", errJSON, i)
	}
	switch b[i] {
	case '"':
		_, _, i, err := str(b, i)
		return i, err
	case '{', '[':
		return skipNested(b, i)
	}
	return skipLiteral(b, i)
}

// skipNested passes over an object or array by counting brackets, reading
// only strings (which may hold brackets) properly.
func skipNested(b []byte, i int) (int, error) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			var err error
			if _, _, i, err = str(b, i); err != nil {
				return i, err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
		i++
	}
	return i, fmt.Errorf("%w: unterminated object or array", errJSON)
}

// skipLiteral passes over a number, true, false or null (or any other run
// of bytes up to a delimiter: the hub validated the JSON).
func skipLiteral(b []byte, i int) (int, error) {
	start := i
	for i < len(b) && !delimiter(b[i]) {
		i++
	}
	if i == start {
		return i, fmt.Errorf("%w: value expected at byte %d", errJSON, i)
	}
	return i, nil
}

func delimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
