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
// compatibility decomposition (fullwidth letters, ligatures, no-break
// spaces); diacritics, format characters (zero-width space and joiners,
// word joiner, BOM, soft hyphen, bidi controls) and invisible fillers
// dropped; dashes '-', slashes '/', colons ':', bullets '*', Latin
// look-alikes Latin; upper case; every line break '\n'. Then, as text
// fields are often HTML: block tags become line breaks, inline tags and
// comments go, and character references are decoded (once). Matching
// works on this form only.
func appendCanonical(dst, s []byte) []byte {
	start := len(dst)
	html := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			html = html || c == '<' || c == '&'
			dst = append(dst, asciiFold[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		dst = appendDecomposed(dst, r, 0)
		i += n
	}
	if !html {
		return dst
	}
	text := append([]byte(nil), dst[start:]...)
	return appendHTML(dst[:start], text)
}

// appendHTML rewrites canonical text: tags and character references.
func appendHTML(dst, t []byte) []byte {
	for i := 0; i < len(t); {
		switch t[i] {
		case '<':
			if n, block := tag(t[i:]); n > 0 {
				if block {
					dst = append(dst, '\n')
				}
				i += n
				continue
			}
		case '&':
			if r, n := entity(t[i:]); n > 0 {
				dst = appendDecomposed(dst, r, 0)
				i += n
				continue
			}
		}
		dst = append(dst, t[i])
		i++
	}
	return dst
}

// blockTags end a line of text in HTML.
var blockTags = map[string]bool{"P": true, "DIV": true, "BR": true, "LI": true, "UL": true, "OL": true,
	"H1": true, "H2": true, "H3": true, "H4": true, "H5": true, "H6": true, "TR": true, "TD": true, "TH": true,
	"TABLE": true, "BLOCKQUOTE": true, "PRE": true, "HR": true, "SECTION": true, "ARTICLE": true,
	"HEADER": true, "FOOTER": true, "TITLE": true, "DT": true, "DD": true, "FIGCAPTION": true}

// tag is the length of an HTML tag or comment at the start of canonical t
// ("<P>", "</B>", "<BR/>", "<SPAN CLASS=X>", "<!-- -->"), 0 if there is
// none, and whether it is a block tag.
func tag(t []byte) (n int, block bool) {
	if len(t) < 3 {
		return 0, false
	}
	j := 1
	if t[1] == '/' || t[1] == '!' {
		j = 2
	}
	k := j
	for k < len(t) && (t[k] >= 'A' && t[k] <= 'Z' || t[k] >= '0' && t[k] <= '9') {
		k++
	}
	if k == j && t[1] != '!' {
		return 0, false
	}
	for i := k; i < len(t) && i < 512; i++ {
		switch t[i] {
		case '>':
			return i + 1, blockTags[string(t[j:k])]
		case '<':
			return 0, false
		}
	}
	return 0, false
}

// appendDecomposed appends the canonical form of one rune. Rune by rune is
// enough: combining marks are dropped, so the reordering a full NFKD pass
// would do cannot change the result.
func appendDecomposed(dst []byte, r rune, depth int) []byte {
	if r < utf8.RuneSelf || depth > 4 {
		return appendRune(dst, r)
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFKD.Properties(buf[:n]).Decomposition()
	if d == nil {
		return appendRune(dst, r)
	}
	for len(d) > 0 {
		x, m := utf8.DecodeRune(d)
		d = d[m:]
		dst = appendDecomposed(dst, x, depth+1)
	}
	return dst
}

// namedEntities are the HTML character references that matter here:
// spaces and invisible characters, and the syntax characters.
// Names are upper case: they are looked up in canonical text.
var namedEntities = map[string]rune{
	"NBSP": 0xA0, "ENSP": 0x2002, "EMSP": 0x2003, "THINSP": 0x2009, "SHY": 0xAD,
	"ZWSP": 0x200B, "ZEROWIDTHSPACE": 0x200B, "ZWJ": 0x200D, "ZWNJ": 0x200C, "NOBREAK": 0x2060,
	"AMP": '&', "LT": '<', "GT": '>', "QUOT": '"', "APOS": '\'', "SOL": '/', "LPAR": '(', "RPAR": ')',
	"COLON": ':', "HYPHEN": 0x2010, "DASH": 0x2010, "NDASH": 0x2013, "MDASH": 0x2014,
}

// entity decodes an HTML character reference at the start of canonical s
// ("&NBSP;", "&#8203;", "&#X200B;"); n is 0 when there is none.
func entity(s []byte) (r rune, n int) {
	end := -1
	for i := 1; i < len(s) && i < 24; i++ {
		if s[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return 0, 0
	}
	name := s[1:end]
	if name[0] != '#' {
		if r, ok := namedEntities[string(name)]; ok {
			return r, end + 1
		}
		return 0, 0
	}
	base, digits := 10, name[1:]
	if len(digits) > 0 && digits[0]|0x20 == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 7 {
		return 0, 0
	}
	v := 0
	for _, d := range digits {
		switch {
		case d >= '0' && d <= '9':
			v = v*base + int(d-'0')
		case base == 16 && d|0x20 >= 'a' && d|0x20 <= 'f':
			v = v*base + int(d|0x20-'a'+10)
		default:
			return 0, 0
		}
	}
	if v == 0 || v > unicode.MaxRune {
		return utf8.RuneError, end + 1
	}
	return rune(v), end + 1
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
