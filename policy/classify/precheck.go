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

// maybe reports whether t could contain a marking.
func (g *Guard) maybe(t []byte) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			for _, stem := range g.stems[c|0x20-'a'] {
				if hasPrefixFold(t[i:], stem) {
					return true
				}
			}
		case c == '(':
			if shortAt(t, i+1, true) {
				return true
			}
		case c == '/':
			if i+1 < len(t) && t[i+1] == '/' && shortBefore(t, i) {
				return true
			}
		case c >= 0x80:
			// Only a canonical form reaches here with non-ASCII letters left
			// (Greek, CJK, ...): let an ExtraTerm in such a script through.
			if g.nonASCIITerms {
				return true
			}
		}
	}
	return false
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

func isLetter(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// shortAt: from i, optional spaces, 1-4 letters that form a portion term,
// optional spaces, then ')' or '/' (when paren) .
func shortAt(t []byte, i int, paren bool) bool {
	for i < len(t) && t[i] <= ' ' {
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
	for j < len(t) && t[j] <= ' ' {
		j++
	}
	return !paren || (j < len(t) && (t[j] == ')' || t[j] == '/'))
}

// shortBefore: the letters right before position i (spaces skipped) form a
// portion term that starts a word.
func shortBefore(t []byte, i int) bool {
	j := i
	for j > 0 && t[j-1] <= ' ' {
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
