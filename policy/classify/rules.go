package classify

import (
	"bytes"
)

// match is what a rule found in one canonical line.
type match struct {
	scheme schemeSet
	kind   string // kindBanner or kindPortion
}

const (
	kindStatement = "statement"
	kindACS       = "acs"
	kindLabel     = "label"
	kindBanner    = "banner"
	kindPortion   = "portion-mark"
	kindProperty  = "property"
)

// level returns the enabled schemes of a full level term (or an ExtraTerm).
func (g *Guard) level(k []byte) schemeSet {
	return g.levels[string(k)]
}

// short returns the enabled schemes of an abbreviation.
func (g *Guard) short(k []byte) schemeSet {
	return g.shorts[string(k)]
}

// checkLine applies the banner and portion-mark rules to one key (see
// appendKey). text is the whole canonical string, for the enumeration test.
func (g *Guard) checkLine(k, text []byte) (match, bool) {
	if len(k) == 0 {
		return match{}, false
	}
	if s := g.banner(k, false); s != 0 {
		return match{s, kindBanner}, true
	}
	if s := g.labelled(k); s != 0 {
		return match{s, kindBanner}, true
	}
	if s := g.portion(k, text); s != 0 {
		return match{s, kindPortion}, true
	}
	if s := g.phrase(k); s != 0 {
		return match{s, kindBanner}, true
	}
	if s := g.slashed(k); s != 0 {
		return match{s, kindBanner}, true
	}
	return match{}, false
}

// slashed: anywhere in a line, a level or a portion abbreviation that
// starts a word and is followed by "//" and a letter ("see the attached
// SECRET//NOFORN annex"). Prose never writes that; URLs have "HTTPS://".
func (g *Guard) slashed(k []byte) schemeSet {
	for off := 0; off < len(k); {
		i := bytes.Index(k[off:], []byte("//"))
		if i < 0 {
			return 0
		}
		i += off
		off = i + 2
		if i == 0 || i+2 >= len(k) || !isLetter(k[i+2]) {
			continue
		}
		var best schemeSet
		for j, words := i-1, 0; j >= 0 && i-j <= 48 && words < 6; j-- {
			if j > 0 && !wordStart(k[j-1]) {
				continue
			}
			words++
			w := k[j:i]
			s := g.level(w)
			if portionTerms[string(w)] {
				s |= g.short(w)
			}
			if s != 0 {
				best = s
			}
		}
		if best != 0 {
			return best
		}
	}
	return 0
}

// phraseLeads introduce a level inside a sentence: "this report is
// classified SECRET", "als VS-VERTRAULICH eingestuft" is not covered (the
// level comes first), "classé SECRET DÉFENSE".
var phraseLeads = []string{"CLASSIFIED AS ", "CLASSIFIED AT ", "CLASSIFIED ", "EINGESTUFT ALS ",
	"CLASSIFIEE EN ", "CLASSIFIE EN ", "CLASSIFIEE ", "CLASSIFIE ", "CLASSE "}

// commercialWords are levels that are also ordinary business words:
// "classified as confidential" in a company's own scheme is not a
// government classification. Qualified forms (NATO CONFIDENTIAL) still count.
var commercialWords = map[string]bool{"CONFIDENTIAL": true, "RESTRICTED": true}

// phrase: a level term right after one of phraseLeads, as whole words.
func (g *Guard) phrase(k []byte) schemeSet {
	if !bytes.Contains(k, []byte("CLASS")) && !bytes.Contains(k, []byte("EINGESTUFT")) {
		return 0 // every lead holds one of them
	}
	for _, lead := range phraseLeads {
		for off := 0; off < len(k); {
			i := bytes.Index(k[off:], []byte(lead))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i > 0 && isLetter(k[i-1]) {
				continue
			}
			if s := g.levelPrefix(k[i+len(lead):]); s != 0 {
				return s
			}
		}
	}
	return 0
}

// levelPrefix: rest starts with a level term (not a commercial word) that
// ends at a word boundary.
// The longest term wins, so "SECRET DEFENSE" is French, not US.
func (g *Guard) levelPrefix(rest []byte) schemeSet {
	var best schemeSet
	for i, words := 1, 0; i <= len(rest) && i <= 48 && words < 6; i++ {
		if i < len(rest) && (isLetter(rest[i]) || isDigit(rest[i])) {
			continue
		}
		words++
		head := rest[:i]
		if s := g.level(head); s != 0 && !commercialWords[string(head)] {
			best = s
		}
		if i < len(rest) && rest[i] != ' ' && rest[i] != '/' {
			break
		}
	}
	return best
}

// banner: k is a level; or starts with a level (or, with shortOK or before
// "//", an abbreviation) followed by "//" or by a caveat word.
func (g *Guard) banner(k []byte, shortOK bool) schemeSet {
	if s := g.level(k); s != 0 {
		return s
	}
	if shortOK {
		if s := g.short(k); s != 0 {
			return s
		}
	}
	if i := bytes.Index(k, []byte("//")); i > 0 && i+2 < len(k) && isLetter(k[i+2]) {
		head := k[:i]
		s := g.level(head)
		if shortOK || portionTerms[string(head)] { // "TS//SI"; "CD//" only as a value
			s |= g.short(head)
		}
		if s != 0 {
			return s
		}
	}
	// A level followed by a caveat word: up to six words of level.
	for i, words := 0, 0; i < len(k) && words < 6; i++ {
		if k[i] != ' ' && k[i] != '/' {
			continue
		}
		words++
		s := g.level(k[:i])
		if shortOK {
			s |= g.short(k[:i])
		}
		if s != 0 && caveats[string(nextWord(k[i:]))] {
			return s
		}
	}
	return 0
}

// labelled: "CLASSIFICATION: S", "EINSTUFUNG = VS NFD", "DECLASSIFY ON: 20351231".
func (g *Guard) labelled(k []byte) schemeSet {
	for _, p := range authorityPrefixes {
		if rest, ok := afterLabel(k, p); ok && len(rest) > 0 && g.enabled&us != 0 {
			return us
		}
	}
	for _, p := range labelPrefixes {
		if rest, ok := afterLabel(k, p); ok {
			return g.value(rest)
		}
	}
	return 0
}

// value: a classification value as found in a property or label meant for
// one (short forms count).
func (g *Guard) value(v []byte) schemeSet {
	v = trimDecoration(v)
	if len(v) > 2 && v[0] == '(' && v[len(v)-1] == ')' {
		v = trimDecoration(v[1 : len(v)-1])
	}
	return g.banner(v, true)
}

// portion finds a portion mark at the start of the line or of a sentence:
// "(S) ...", "(TS//SI) ...", "(S//REL TO USA, GBR) ...", "(SECRET) ...".
func (g *Guard) portion(k, text []byte) schemeSet {
	for i := 0; i < len(k); i++ {
		if k[i] != '(' {
			continue
		}
		end := bytes.IndexByte(k[i:], ')')
		if end < 0 || end > 80 {
			continue
		}
		end += i
		// At a sentence start; or anywhere with caveats: "(S//NF)" is never prose.
		if !sentenceStart(k, i) && !bytes.Contains(k[i:end], []byte("//")) {
			continue
		}
		if end+1 < len(k) && k[end+1] != ' ' { // "(S)HE", "(C)2024"
			continue
		}
		inner := bytes.TrimSpace(k[i+1 : end])
		head := inner
		if j := bytes.Index(inner, []byte("//")); j >= 0 {
			head = bytes.TrimSpace(inner[:j])
		}
		s := g.level(inner) | g.level(head)
		if portionTerms[string(head)] {
			s |= g.short(head)
		}
		if s == 0 {
			continue
		}
		if string(inner) == "C" && (copyright(k[end+1:]) || bytes.Contains(text, []byte("(B)"))) {
			continue
		}
		return s
	}
	return 0
}

// sentenceStart: only spaces or bullets before i, or the end of a sentence.
func sentenceStart(k []byte, i int) bool {
	j := i
	for j > 0 && k[j-1] == ' ' {
		j--
	}
	if j == 0 {
		return true
	}
	switch k[j-1] {
	case '.', '!', '?', ':', ';', '*':
		return j < i || k[j-1] == '*' // "end.(S)" is not a new sentence
	}
	return false
}

// copyright: what follows "(C)" reads as a copyright notice: a year, or the
// words COPYRIGHT / ALL RIGHTS RESERVED on the line.
func copyright(rest []byte) bool {
	r := bytes.TrimSpace(rest)
	if len(r) >= 4 && isYear(r[:4]) {
		return true
	}
	if bytes.Contains(r, []byte("COPYRIGHT")) || bytes.Contains(r, []byte("ALL RIGHTS RESERVED")) {
		return true
	}
	for i := 0; i+4 <= len(r); i++ { // "(c) ACME Corp 2024"
		if isYear(r[i:i+4]) && (i == 0 || !isDigit(r[i-1])) && (i+4 == len(r) || !isDigit(r[i+4])) {
			return true
		}
	}
	return false
}

// wordStart: a byte after which a marking may start inside a line; not a
// letter, digit, '/' or '.', so URL paths ("example.com/secret//x") are not.
func wordStart(c byte) bool {
	switch c {
	case ' ', '(', '[', '"', '\'', ',', ';', '*':
		return true
	}
	return false
}

func isYear(b []byte) bool {
	return (b[0] == '1' && b[1] == '9' || b[0] == '2' && b[1] == '0') && isDigit(b[2]) && isDigit(b[3])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// afterLabel: k is prefix, optional space, ':' or '=', then the rest.
func afterLabel(k []byte, prefix string) ([]byte, bool) {
	if !bytes.HasPrefix(k, []byte(prefix)) {
		return nil, false
	}
	r := k[len(prefix):]
	if len(r) > 0 && r[0] == ' ' {
		r = r[1:]
	}
	if len(r) == 0 || (r[0] != ':' && r[0] != '=') {
		return nil, false
	}
	return bytes.TrimSpace(r[1:]), true
}

// nextWord is the first word of b after separators.
func nextWord(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '/') {
		b = b[1:]
	}
	for i, c := range b {
		if c == ' ' || c == '/' || c == ',' {
			return b[:i]
		}
	}
	return b
}
