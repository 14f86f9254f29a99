package classify

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// walker holds the state of one Object/MarkingDefinition/Text call, pooled
// so that scanning allocates nothing until it finds something.
type walker struct {
	g        *Guard
	base     string
	path     []step
	findings []Finding
	buf, key []byte
}

// step is one JSON pointer token: an object key (valid while the parsed
// value lives) or an array index.
type step struct {
	key   []byte
	index int
}

type context uint8

const (
	inText context = iota
	inLabels
	inClassification
)

func (w *walker) out() []Finding {
	if len(w.findings) == 0 {
		return nil
	}
	return append([]Finding(nil), w.findings...)
}

// add records a finding at base+rel, or at the current path when rel is "".
func (w *walker) add(rel string, s schemeSet, kind string) {
	ptr := w.base + rel
	if rel == "" {
		ptr = w.pointer()
	}
	for _, f := range w.findings { // one finding per place, none below it
		if f.Pointer == ptr || strings.HasPrefix(ptr, f.Pointer) && ptr[len(f.Pointer)] == '/' {
			return
		}
	}
	w.findings = append(w.findings, Finding{Pointer: ptr, Scheme: w.g.schemeName(s), Kind: kind})
}

func (w *walker) pointer() string {
	var b strings.Builder
	b.WriteString(w.base)
	for _, s := range w.path {
		b.WriteByte('/')
		if s.key == nil {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		for _, c := range s.key {
			switch c {
			case '~':
				b.WriteString("~0")
			case '/':
				b.WriteString("~1")
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// object walks the members of an object. top marks the STIX object itself.
func (w *walker) object(v *fastjson.Value, top bool) {
	o, err := v.Object()
	if err != nil {
		return
	}
	typ := string(v.GetStringBytes("type"))
	indicator := top && typ == "indicator"
	// A marking definition whose type is a classification scheme
	// ("definition_type": "classification", OpenCTI's
	// "x_opencti_definition_type": "Classification") states one in its
	// definition and name, short forms included.
	classMarking := top && typ == "marking-definition" &&
		(classificationName(v.GetStringBytes("definition_type")) || classificationName(v.GetStringBytes("x_opencti_definition_type")))
	o.Visit(func(k []byte, val *fastjson.Value) {
		if indicator && string(k) == "pattern" {
			return // pattern literals are observables, not markings
		}
		w.path = append(w.path, step{key: k})
		if m, ok := w.text(k); ok { // a member named like a banner
			w.add("", m.scheme, kindProperty)
		}
		ctx := contextOf(k, inText)
		if classMarking && (string(k) == "definition" || string(k) == "x_opencti_definition" || string(k) == "name") {
			ctx = inClassification
		}
		w.value(val, ctx)
		w.path = w.path[:len(w.path)-1]
	})
}

func (w *walker) value(v *fastjson.Value, ctx context) {
	switch v.Type() {
	case fastjson.TypeString:
		w.str(v.GetStringBytes(), ctx)
	case fastjson.TypeArray:
		for i, e := range v.GetArray() {
			w.path = append(w.path, step{index: i})
			w.value(e, ctx)
			w.path = w.path[:len(w.path)-1]
		}
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, val *fastjson.Value) {
			w.path = append(w.path, step{key: k})
			if m, ok := w.text(k); ok {
				w.add("", m.scheme, kindProperty)
			}
			w.value(val, contextOf(k, ctx))
			w.path = w.path[:len(w.path)-1]
		})
	}
}

func (w *walker) str(s []byte, ctx context) {
	switch ctx {
	case inLabels:
		if sc := w.label(s); sc != 0 {
			w.add("", sc, kindLabel)
		}
	case inClassification:
		if sc := w.classValue(s); sc != 0 {
			w.add("", sc, kindProperty)
		} else if m, ok := w.text(s); ok {
			w.add("", m.scheme, kindProperty)
		}
	default:
		if m, ok := w.text(s); ok {
			w.add("", m.scheme, m.kind)
		}
	}
}

// text applies the banner and portion-mark rules to every line of s.
func (w *walker) text(s []byte) (match, bool) {
	g := w.g
	hit, nonASCII := g.scan(s, true)
	if !hit && !nonASCII {
		return match{}, false
	}
	w.buf = appendCanonical(w.buf[:0], s)
	if nonASCII {
		if hit, _ = g.scan(w.buf, false); !hit {
			return match{}, false
		}
	}
	rest := w.buf
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		w.key = appendKey(w.key[:0], line)
		if m, ok := g.checkLine(w.key, w.buf); ok {
			return m, true
		}
	}
	return match{}, false
}

// label: a label or tag that is a marking, or a taxonomy tag
// ("nato:classification=\"NS\"", "de-vs:einstufung=VS-NfD") whose
// namespace speaks of classification and whose value is one.
func (w *walker) label(s []byte) schemeSet {
	if m, ok := w.text(s); ok {
		return m.scheme
	}
	if isASCII(s) && !bytes.ContainsAny(s, ":=&") { // not a taxonomy tag
		return 0
	}
	w.buf = appendCanonical(w.buf[:0], s)
	w.key = appendKey(w.key[:0], w.buf)
	k := w.key
	i := bytes.LastIndexAny(k, ":=")
	if i < 0 {
		return 0
	}
	val := trimDecoration(k[i+1:])
	if sc := w.g.banner(val, false); sc != 0 {
		return sc
	}
	if classificationName(k[:i]) {
		return w.g.value(val)
	}
	return 0
}

// classValue: the value of a property named for classification.
func (w *walker) classValue(s []byte) schemeSet {
	w.buf = appendCanonical(w.buf[:0], s)
	w.key = appendKey(w.key[:0], w.buf)
	return w.g.value(w.key)
}

func contextOf(k []byte, parent context) context {
	switch {
	case parent == inClassification:
		return inClassification
	case isIdentifierName(k):
		return inText
	case classificationName(k):
		return inClassification
	case isLabelsName(k):
		return inLabels
	}
	return parent
}

func isLabelsName(k []byte) bool {
	return string(k) == "labels" || string(k) == "tags" || bytes.HasSuffix(k, []byte("_labels")) || bytes.HasSuffix(k, []byte("_tags"))
}

// classificationName: a member or namespace name that speaks of
// classification in any case ("x_classification", "EINSTUFUNG",
// "nato", "securityLevel", "protective_marking").
var classificationWords = []string{"classif", "einstufung", "geheimhaltung", "marking", "caveat",
	"clearance", "sensitivity", "security_level", "securitylevel", "security level", "protective", "nato", "euci"}

var classificationIndex = newStemIndex(classificationWords)

func classificationName(k []byte) bool {
	for i, c := range k {
		c |= 0x20
		if c < 'a' || c > 'z' {
			continue
		}
		for _, w := range classificationIndex[c-'a'] {
			if hasPrefixFold(k[i:], w) {
				return true
			}
		}
	}
	return false
}

// isIdentifierName: members that hold STIX identifiers ("id",
// "created_by_ref", "object_marking_refs"): never a classification value.
func isIdentifierName(k []byte) bool {
	return string(k) == "id" || bytes.HasSuffix(k, []byte("_ref")) || bytes.HasSuffix(k, []byte("_refs"))
}
