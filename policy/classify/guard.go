package classify

import (
	"fmt"
	"strings"
	"sync"

	"github.com/valyala/fastjson"
)

// Config selects what the guard looks for; it comes from the MoU rules.
type Config struct {
	// Schemes are built-in scheme names (see Schemes); empty means all.
	Schemes []string
	// ExtraTerms are more markings, each matched like a built-in level: as
	// a whole line, label or field, before "//" or a caveat, or in
	// parentheses at the start of a sentence. Matching is canonical (case,
	// diacritics, compatibility forms, '-'/'_' versus space do not matter).
	ExtraTerms []string
}

// Finding is one place that carries a classification marking. It never
// holds the text that was found.
type Finding struct {
	Pointer string `json:"pointer"` // JSON pointer of the string (or ACS value)
	Scheme  string `json:"scheme"`  // "us", "nato", "eu", "uk", "fr", "de", "acs" or "extra"
	Kind    string `json:"kind"`    // "statement", "acs", "label", "banner", "portion-mark" or "property"
}

// Guard detects classified material. It is safe for concurrent use (the
// fastjson values given to it are not: one goroutine per parsed document).
type Guard struct {
	enabled       schemeSet
	levels        map[string]schemeSet // level terms, ExtraTerms and their space-free forms
	shorts        map[string]schemeSet
	stems         *stemIndex
	grams         *trigrams
	shortStems    bool // an ExtraTerm starts with a word under three letters
	nonASCIITerms bool
	pool          sync.Pool // *walker
}

// ExtensionACS is the ISA ACS 3.0 marking extension.
const ExtensionACS = "extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce"

// New builds a guard; an unknown scheme or an empty extra term is an error.
func New(cfg Config) (*Guard, error) {
	g := &Guard{levels: map[string]schemeSet{}, shorts: map[string]schemeSet{}}
	if len(cfg.Schemes) == 0 {
		cfg.Schemes = Schemes()
	}
	for i, name := range cfg.Schemes {
		bit, ok := schemeBits[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return nil, fmt.Errorf("classify: schemes[%d]: unknown scheme %q (known: %s)", i, name, strings.Join(Schemes(), ", "))
		}
		g.enabled |= bit
	}
	stems := append([]string(nil), builtinStems...)
	for i, term := range cfg.ExtraTerms {
		line := appendCanonical(nil, []byte(term))
		if strings.ContainsRune(string(line), '\n') {
			return nil, fmt.Errorf("classify: extra_terms[%d]: a term must be one line", i)
		}
		k := string(appendKey(nil, line))
		if k == "" {
			return nil, fmt.Errorf("classify: extra_terms[%d]: empty term", i)
		}
		g.enabled |= extra
		g.addLevel(k, extra)
		first := k
		if j := strings.IndexAny(k, " /"); j > 0 {
			first = k[:j]
		}
		stems = append(stems, strings.ToLower(first))
		if !isASCII([]byte(first)) || !isLetter(first[0]) {
			g.nonASCIITerms = true
		}
	}
	for k, s := range levelTerms {
		g.addLevel(k, s)
	}
	for k, s := range shortTerms {
		if s&g.enabled != 0 {
			g.shorts[k] = s & g.enabled
		}
	}
	g.stems = newStemIndex(stems)
	g.grams = new(trigrams)
	for _, st := range stems {
		if len(st) < 3 {
			g.shortStems = true
			continue
		}
		g.grams.add(st)
	}
	g.pool.New = func() any { return new(walker) }
	return g, nil
}

func (g *Guard) addLevel(k string, s schemeSet) {
	s &= g.enabled
	if s == 0 {
		return
	}
	g.levels[k] |= s
	if d := strings.ReplaceAll(k, " ", ""); d != k {
		g.levels[d] |= s
	}
}

func (g *Guard) schemeName(s schemeSet) string {
	for _, o := range schemeOrder {
		if s&o.bit != 0 {
			return o.name
		}
	}
	return ""
}

// Object returns every finding in one STIX object, pointer being the
// object's JSON pointer ("/objects/3"). It looks at every string at any
// depth except indicator.pattern (its literals are observables), and, for a
// marking-definition, also does what MarkingDefinition does. Each string
// gives at most one finding.
func (g *Guard) Object(obj *fastjson.Value, pointer string) []Finding {
	if obj == nil {
		return nil
	}
	w := g.get(pointer)
	defer g.put(w)
	if string(obj.GetStringBytes("type")) == "marking-definition" {
		g.markingDefinition(w, obj)
	}
	w.object(obj, true)
	return w.out()
}

// MarkingDefinition returns the findings of a marking-definition's own
// marking content: its statement text (definition.statement, any
// classification banner in it, short forms excluded) and its ISA ACS 3.0
// control_set.classification (C, S or TS, or a value ACS does not define;
// U is fine).
func (g *Guard) MarkingDefinition(md *fastjson.Value, pointer string) []Finding {
	if md == nil {
		return nil
	}
	w := g.get(pointer)
	defer g.put(w)
	g.markingDefinition(w, md)
	return w.out()
}

// Text returns the finding in one text value (the banner and portion-mark
// rules), or nil. pointer names the value in the findings.
func (g *Guard) Text(s, pointer string) []Finding {
	w := g.get(pointer)
	defer g.put(w)
	if m, ok := w.text([]byte(s)); ok {
		w.add("", m.scheme, m.kind)
	}
	return w.out()
}

func (g *Guard) markingDefinition(w *walker, md *fastjson.Value) {
	if st := md.Get("definition", "statement"); st != nil && st.Type() == fastjson.TypeString {
		if m, ok := w.text(st.GetStringBytes()); ok {
			w.add("/definition/statement", m.scheme, kindStatement)
		}
	}
	if g.enabled&acs == 0 {
		return
	}
	cl := md.Get("extensions", ExtensionACS, "control_set", "classification")
	if cl == nil {
		return
	}
	const ptr = "/extensions/" + ExtensionACS + "/control_set/classification"
	v := strings.TrimSpace(string(cl.GetStringBytes()))
	if classified, known := acsLevels[v]; cl.Type() != fastjson.TypeString || !known || classified {
		w.add(ptr, acs, kindACS)
	}
}

func (g *Guard) get(pointer string) *walker {
	w := g.pool.Get().(*walker)
	w.g, w.base, w.findings, w.path = g, pointer, w.findings[:0], w.path[:0]
	return w
}

func (g *Guard) put(w *walker) {
	if cap(w.buf) > 1<<20 { // do not keep the buffer of one huge string
		w.buf, w.key = nil, nil
	}
	w.g = nil
	g.pool.Put(w)
}
