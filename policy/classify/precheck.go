package classify

// The fast path. Nearly every string in a submission (ids, timestamps,
// hashes, URLs, most prose) cannot hold a marking: a marking needs one of a
// few word stems, a short mark in parentheses ("(S)", "(TS//SI)") or a short
// level before "//" ("TS//SI"). maybe looks for them byte by byte, case
// folded, without allocating. It runs on the raw string when it is ASCII,
// and on the canonical form otherwise (so "SE\u200bCRET" cannot hide).

// builtinStems: every level term, label prefix and authority line contains
// one of them (checked by TestStemsCoverTerms).
var builtinStems = []string{"secret", "confiden", "restr", "geheim", "vertraul", "nfd", "dienstgebr",
	"classif", "einstuf", "cosmic"}

type stemIndex [26][]string

func newStemIndex(stems []string) *stemIndex {
	var idx stemIndex
	for _, s := range stems {
		if s == "" {
			continue
		}
		c := s[0] | 0x20
		if c < 'a' || c > 'z' {
			continue
		}
		idx[c-'a'] = append(idx[c-'a'], s)
	}
	return &idx
}

// special marks the bytes scan must look at beyond the trigram test.
var special = func() (t [256]bool) {
	t['('], t['/'], t['&'], t['<'] = true, true, true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// trigrams is a bit set of the case-folded first three letters of every
// stem: one table look-up per byte finds the few places worth a compare.
type trigrams [1 << 15 / 32]uint32

func gram(a, b, c byte) uint32 { return uint32(a&31)<<10 | uint32(b&31)<<5 | uint32(c&31) }

func (t *trigrams) add(stem string) { g := gram(stem[0], stem[1], stem[2]); t[g>>5] |= 1 << (g & 31) }

func (t *trigrams) has(g uint32) bool { return t[g>>5]&(1<<(g&31)) != 0 }

// scan reports whether t could contain a marking (hit), or, when ascii is
// set and t holds a non-ASCII byte, that it must be canonicalised first
// (nonASCII).
func (g *Guard) scan(t []byte, ascii bool) (hit, nonASCII bool) {
	var h uint32
	for i := 0; i < len(t); i++ {
		c := t[i]
		h = (h<<5 | uint32(c&31)) & (1<<15 - 1)
		if special[c] {
			switch {
			case c >= 0x80:
				if ascii {
					return false, true
				}
				if g.nonASCIITerms {
					return true, false
				}
			case c == '&':
				// A character reference can hide a letter or insert an
				// invisible one: look at the decoded, canonical form.
				if ascii && i+2 < len(t) && (t[i+1] == '#' || isLetter(t[i+1])) {
					return false, true
				}
			case c == '<':
				// Inline tags are removed and can join a word: "SE<b></b>CRET".
				if ascii && i+2 < len(t) && (t[i+1] == '/' || t[i+1] == '!' || isLetter(t[i+1])) {
					return false, true
				}
			case c == '(':
				if shortAt(t, i+1, true) {
					return true, false
				}
			case c == '/':
				j := i + 1 // "S//NF", also "S/ /NF": keys drop gaps after '/'
				for j < len(t) && isGap(t[j]) {
					j++
				}
				if j < len(t) && t[j] == '/' && shortBefore(t, i) {
					return true, false
				}
			}
		}
		if g.grams.has(h) && i >= 2 {
			j := i - 2
			for _, stem := range g.stems[(t[j]|0x20-'a')%26] {
				if hasPrefixFold(t[j:], stem) {
					return true, false
				}
			}
		}
		if g.shortStems {
			for _, stem := range g.stems[(c|0x20-'a')%26] {
				if len(stem) < 3 && hasPrefixFold(t[i:], stem) {
					return true, false
				}
			}
		}
	}
	return false, false
}

// hasPrefixFold: s starts with lower-case ASCII stem, ignoring case.
func hasPrefixFold(s []byte, stem string) bool {
	if len(s) < len(stem) {
		return false
	}
	for j := 0; j < len(stem); j++ {
		c := s[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != stem[j] {
			return false
		}
	}
	return true
}

// isGap: what appendKey turns into a space or drops.
func isGap(c byte) bool { return c <= ' ' || c == '-' || c == '_' }

func isLetter(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// shortAt: from i, optional spaces, 1-4 letters that form a portion term,
// optional spaces, then ')' or '/' (when paren) .
func shortAt(t []byte, i int, paren bool) bool {
	for i < len(t) && isGap(t[i]) {
		i++
	}
	j := i
	for j < len(t) && j-i <= 4 && isLetter(t[j]) {
		j++
	}
	if j == i || j-i > 4 {
		return false
	}
	if !isPortionWord(t[i:j]) {
		return false
	}
	for j < len(t) && isGap(t[j]) {
		j++
	}
	return !paren || (j < len(t) && (t[j] == ')' || t[j] == '/'))
}

// shortBefore: the letters right before position i (spaces skipped) form a
// portion term that starts a word.
func shortBefore(t []byte, i int) bool {
	j := i
	for j > 0 && isGap(t[j-1]) {
		j--
	}
	k := j
	for k > 0 && j-k <= 4 && isLetter(t[k-1]) {
		k--
	}
	if k == j || j-k > 4 {
		return false
	}
	return isPortionWord(t[k:j])
}

func isPortionWord(w []byte) bool {
	var up [4]byte
	n := copy(up[:], w)
	for i := range n {
		up[i] &^= 0x20
	}
	return portionTerms[string(up[:n])]
}
