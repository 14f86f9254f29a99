package classify

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// asciiFold maps each ASCII byte to its canonical form: letters upper case,
// every line break '\n', other white space ' '.
var asciiFold = func() (t [128]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == '\r':
			c = '\n'
		case c == '\t' || c == '\v' || c == '\f':
			c = ' '
		}
		t[i] = c
	}
	return t
}()

// confusables maps upper-case Cyrillic and Greek letters that look like
// Latin ones, so "ЅЕСRЕТ" typed with Cyrillic letters reads as SECRET.
var confusables = map[rune]byte{
	'А': 'A', 'В': 'B', 'С': 'C', 'Е': 'E', 'Н': 'H', 'І': 'I', 'Ј': 'J', 'К': 'K', 'М': 'M',
	'О': 'O', 'Р': 'P', 'Ѕ': 'S', 'Т': 'T', 'Х': 'X', 'У': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
}

// isASCII reports whether s needs no Unicode normalisation.
func isASCII(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendCanonical appends the canonical form of s to dst: NFKD
// (compatibility forms: fullwidth letters, ligatures, non-breaking spaces),
// diacritics, format characters (zero-width space/joiners, word joiner,
// BOM, soft hyphen, bidi controls) and invisible fillers dropped, dashes
// '-', slashes '/', bullets '*', Latin look-alikes Latin, upper case, and
// every line break '\n'. Matching works on this form only.
func appendCanonical(dst, s []byte) []byte {
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			dst = append(dst, asciiFold[s[i]])
		}
		return dst
	}
	// Rune by rune: combining marks are dropped, so the canonical ordering
	// a full NFKD pass would do cannot change the result.
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, asciiFold[c])
			i++
			continue
		}
		p := norm.NFKD.Properties(s[i:])
		n := p.Size()
		if n == 0 { // invalid UTF-8: one byte, as U+FFFD
			dst = appendRune(dst, utf8.RuneError)
			i++
			continue
		}
		if d := p.Decomposition(); d != nil {
			for len(d) > 0 {
				r, m := utf8.DecodeRune(d)
				d = d[m:]
				dst = appendRune(dst, r)
			}
		} else {
			r, _ := utf8.DecodeRune(s[i : i+n])
			dst = appendRune(dst, r)
		}
		i += n
	}
	return dst
}

func appendRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(dst, asciiFold[r])
	}
	switch r {
	case 0x0085, 0x2028, 0x2029:
		return append(dst, '\n')
	case 0x2044, 0x2215, 0x29F8, 0x2571:
		return append(dst, '/')
	case 0x2236, 0xA789, 0x02F8: // colon look-alikes
		return append(dst, ':')
	case 0x2212, 0x2043, 0x2E3A, 0x2E3B:
		return append(dst, '-')
	case 0x2022, 0x2023, 0x25AA, 0x25CF, 0x25E6, 0x2219, 0x00B7:
		return append(dst, '*')
	case 0x00DF, 0x1E9E: // ß
		return append(dst, 'S', 'S')
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E: // invisible fillers
		return dst
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return dst
	case unicode.IsSpace(r):
		return append(dst, ' ')
	case unicode.Is(unicode.Pd, r):
		return append(dst, '-')
	}
	u := unicode.ToUpper(r)
	if c, ok := confusables[u]; ok {
		return append(dst, c)
	}
	return utf8.AppendRune(dst, u)
}

// appendKey appends the matching key of one canonical line: runs of ' ',
// '-' and '_' become one space, spaces around '/' go, and decoration
// ("*** SECRET ***", "[SECRET]", quotes, trailing dots) is trimmed.
func appendKey(dst, line []byte) []byte {
	start := len(dst)
	space := false
	for _, c := range line {
		switch c {
		case ' ', '-', '_':
			space = true
			continue
		case '/':
			space = false
			dst = append(dst, '/')
			continue
		}
		if space && len(dst) > start && dst[len(dst)-1] != '/' {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, c)
	}
	key := trimDecoration(dst[start:])
	n := copy(dst[start:], key)
	return dst[:start+n]
}

func isDecoration(c byte) bool {
	switch c {
	case ' ', '*', '#', '=', '~', '[', ']', '<', '>', '"', '\'', '`', '.', ',', ':', ';', '!', '|', '+', '{', '}':
		return true
	}
	return false
}

func trimDecoration(b []byte) []byte {
	for len(b) > 0 && isDecoration(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isDecoration(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
