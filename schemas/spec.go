package schemas

import "github.com/valyala/fastjson"

// kind is how a property's value is checked.
type kind uint8

const (
	kAny kind = iota
	kString
	kStringList
	kBool
	kInt
	kNumber
	kTimestamp
	kTimestampMillis // created, modified: at least millisecond precision
	kRef
	kRefList
	kVocab     // one string from a vocabulary
	kVocabList // a list of strings from a vocabulary
	kHashes
	kKillChains
	kExtRefs
	kGranular
	kExtensions
	kDict
	kObject
	kObjectList
	kBinary
	kHex
	kURL
	kLang
	kIDSelf // the object's own id
	kType   // the object's own type
	kSpecVersion
	kCharset   // an IANA character set name (path_enc, name_enc)
	kContainer // observed-data's deprecated objects dictionary
)

// class is the family of a STIX type, which decides its common properties.
type class uint8

const (
	classSub class = iota // a nested object (external reference, mime part, extension content...)
	classSDO              // also SRO and the SDO-like meta objects (language-content, extension-definition)
	classSCO
)

// prop says how to check one property.
type prop struct {
	kind     kind
	refTypes []string // kRef/kRefList: allowed target types; nil means any; "#sco" any cyber-observable
	refDeny  []string // kRef/kRefList: target types that are never allowed
	vocab    *vocab   // kVocab/kVocabList
	min, max float64  // kInt/kNumber range when hasRange
	hasRange bool
	sub      *objSpec // kObject/kObjectList (kDict values when set)
	nonEmpty bool     // kString: "" is not allowed
}

// objSpec describes one object type (or nested object).
type objSpec struct {
	name     string
	class    class
	props    map[string]*prop
	required []string
	forbid   []string
	exts     map[string]*objSpec // predefined "-ext" extensions of this type
	open     bool                // unknown properties belong to someone else's schema: no custom-property warning
	// check runs the cross-property rules (orderings, exclusive pairs...).
	check func(c *checker, o *fastjson.Object)
}

// vocab is a named vocabulary; open vocabularies give warnings, closed
// ones (enumerations) errors.
type vocab struct {
	name   string
	open   bool
	values map[string]struct{}
}

func newVocab(name string, open bool, values ...string) *vocab {
	v := &vocab{name: name, open: open, values: make(map[string]struct{}, len(values))}
	for _, s := range values {
		v.values[s] = struct{}{}
	}
	return v
}

func (v *vocab) has(b []byte) bool { _, ok := v.values[string(b)]; return ok }

// Builders keep the type tables short.
func pStr() prop                 { return prop{kind: kString} }
func pStrNE() prop               { return prop{kind: kString, nonEmpty: true} }
func pStrs() prop                { return prop{kind: kStringList} }
func pBool() prop                { return prop{kind: kBool} }
func pInt() prop                 { return prop{kind: kInt} }
func pIntR(lo, hi float64) prop  { return prop{kind: kInt, min: lo, max: hi, hasRange: true} }
func pNumR(lo, hi float64) prop  { return prop{kind: kNumber, min: lo, max: hi, hasRange: true} }
func pTS() prop                  { return prop{kind: kTimestamp} }
func pRef(types ...string) prop  { return prop{kind: kRef, refTypes: types} }
func pRefs(types ...string) prop { return prop{kind: kRefList, refTypes: types} }
func pVocab(v *vocab) prop       { return prop{kind: kVocab, vocab: v} }
func pVocabs(v *vocab) prop      { return prop{kind: kVocabList, vocab: v} }
func pHashes() prop              { return prop{kind: kHashes} }
func pKillChains() prop          { return prop{kind: kKillChains} }
func pDict() prop                { return prop{kind: kDict} }
func pObj(s *objSpec) prop       { return prop{kind: kObject, sub: s} }
func pObjs(s *objSpec) prop      { return prop{kind: kObjectList, sub: s} }
func pBin() prop                 { return prop{kind: kBinary} }
func pHex() prop                 { return prop{kind: kHex} }
func pURL() prop                 { return prop{kind: kURL} }
func pLang() prop                { return prop{kind: kLang} }
func pAny() prop                 { return prop{kind: kAny} }
func pCharset() prop             { return prop{kind: kCharset} }
func props(kv ...any) map[string]*prop {
	m := make(map[string]*prop, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		p := kv[i+1].(prop)
		m[kv[i].(string)] = &p // looked up per property: a pointer, not a copy
	}
	return m
}

// withCommon merges a class's common properties under a type's own.
func withCommon(own map[string]*prop, common map[string]*prop) map[string]*prop {
	m := make(map[string]*prop, len(own)+len(common))
	for k, v := range common {
		m[k] = v
	}
	for k, v := range own {
		m[k] = v
	}
	return m
}
