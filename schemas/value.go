package schemas

import (
	"bytes"
	"fmt"
	"math"

	"github.com/valyala/fastjson"
	"golang.org/x/text/encoding/ianaindex"
)

// checkValue checks v, found at the current path, against p.
func (c *checker) checkValue(v *fastjson.Value, p *prop) {
	switch p.kind {
	case kAny:
		c.checkCustomValue(v)
	case kString:
		if c.wantType(v, fastjson.TypeString, "a string") && p.nonEmpty && len(v.GetStringBytes()) == 0 {
			c.fail(RulePropertyEmpty, "must not be an empty string")
		}
	case kStringList:
		c.eachInList(v, "a list of strings", func(e *fastjson.Value) { c.wantType(e, fastjson.TypeString, "a string") })
	case kBool:
		if t := v.Type(); t != fastjson.TypeTrue && t != fastjson.TypeFalse {
			c.fail(RulePropertyType, fmt.Sprintf("%s is %s, not a boolean", show(v), typeName(v)))
		}
	case kInt, kNumber:
		c.checkNumber(v, p)
	case kTimestamp, kTimestampMillis:
		c.checkTimestamp(v, p.kind == kTimestampMillis)
	case kRef:
		c.checkRef(v, p)
	case kRefList:
		c.eachInList(v, "a list of identifiers", func(e *fastjson.Value) { c.checkRef(e, p) })
	case kVocab:
		c.checkVocab(v, p.vocab)
	case kVocabList:
		c.eachInList(v, "a list of strings", func(e *fastjson.Value) { c.checkVocab(e, p.vocab) })
	case kHashes:
		c.checkHashes(v)
	case kKillChains:
		c.eachInList(v, "a list of kill-chain phases", func(e *fastjson.Value) { c.checkSub(e, killChainSpec) })
	case kExtRefs:
		c.eachInList(v, "a list of external references", func(e *fastjson.Value) { c.checkSub(e, extRefSpec) })
	case kGranular:
		c.eachInList(v, "a list of granular markings", func(e *fastjson.Value) { c.checkSub(e, granularSpec) })
	case kDict:
		c.checkDict(v, p.sub)
	case kObject:
		c.checkSub(v, p.sub)
	case kObjectList:
		c.eachInList(v, "a list of objects", func(e *fastjson.Value) { c.checkSub(e, p.sub) })
	case kBinary:
		if c.wantType(v, fastjson.TypeString, "a string") && !isBase64(v.GetStringBytes()) {
			c.fail(RulePropertyValue, quote(v.GetStringBytes())+" is not base64")
		}
	case kHex:
		if c.wantType(v, fastjson.TypeString, "a string") && !isHex(v.GetStringBytes()) {
			c.fail(RulePropertyValue, quote(v.GetStringBytes())+" is not an even number of hex digits")
		}
	case kURL:
		if c.wantType(v, fastjson.TypeString, "a string") && !isURL(v.GetStringBytes()) {
			c.fail(RulePropertyValue, quote(v.GetStringBytes())+" is not an absolute URL")
		}
	case kLang:
		if c.wantType(v, fastjson.TypeString, "a string") && !isLangTag(v.GetStringBytes()) {
			c.fail(RuleLangTag, quote(v.GetStringBytes())+" is not an RFC 5646 language tag")
		}
	case kSpecVersion:
		if c.wantType(v, fastjson.TypeString, "a string") && string(v.GetStringBytes()) != "2.1" {
			c.fail(RuleSpecVersion, quote(v.GetStringBytes())+` is not "2.1"`)
		}
	case kType, kIDSelf:
		// checked by checkObject before the property walk
	case kExtensions:
		c.checkExtensions(v)
	case kContainer:
		c.checkContainer(v)
	case kCharset:
		if c.wantType(v, fastjson.TypeString, "a string") {
			if _, err := ianaindex.IANA.Encoding(string(v.GetStringBytes())); err != nil {
				c.fail(RulePropertyValue, quote(v.GetStringBytes())+" is not a character set name from the IANA registry")
			}
		}
	}
}

// wantType reports a type error unless v has type t.
func (c *checker) wantType(v *fastjson.Value, t fastjson.Type, want string) bool {
	if v.Type() == t {
		return true
	}
	c.fail(RulePropertyType, fmt.Sprintf("%s is %s, not %s", show(v), typeName(v), want))
	return false
}

// eachInList checks that v is a non-empty list and runs f on each element
// with the path pointing at it.
func (c *checker) eachInList(v *fastjson.Value, want string, f func(*fastjson.Value)) {
	if !c.wantType(v, fastjson.TypeArray, want) {
		return
	}
	a, _ := v.Array()
	if len(a) == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty list")
		return
	}
	for i, e := range a {
		c.pushIdx(i)
		f(e)
		c.pop()
	}
}

func (c *checker) checkNumber(v *fastjson.Value, p *prop) {
	if v.Type() != fastjson.TypeNumber {
		want := "a number"
		if p.kind == kInt {
			want = "an integer"
		}
		c.fail(RulePropertyType, fmt.Sprintf("%s is %s, not %s", show(v), typeName(v), want))
		return
	}
	f, _ := v.Float64()
	if p.kind == kInt && (f != math.Trunc(f) || math.IsInf(f, 0)) {
		c.fail(RulePropertyType, fmt.Sprintf("%s is not an integer", v.String()))
		return
	}
	if p.hasRange && (f < p.min || f > p.max) {
		c.fail(RulePropertyRange, fmt.Sprintf("%s is outside the range %g..%g", v.String(), p.min, p.max))
	}
}

func (c *checker) checkTimestamp(v *fastjson.Value, millis bool) {
	if !c.wantType(v, fastjson.TypeString, "a timestamp string") {
		return
	}
	s := v.GetStringBytes()
	ts, p := parseTimestamp(s)
	if p.rule != "" {
		c.fail(p.rule, quote(s)+" "+p.why)
		return
	}
	if millis && len(ts.frac) < 3 {
		c.fail(RuleTimestampPrecision, quote(s)+" must be precise to the millisecond (at least 3 fraction digits)")
	}
}

func (c *checker) checkRef(v *fastjson.Value, p *prop) {
	if !c.wantType(v, fastjson.TypeString, "an identifier") {
		return
	}
	s := v.GetStringBytes()
	if c.container != nil && !bytes.Contains(s, []byte("--")) {
		// Inside the deprecated objects dictionary, references are its keys.
		target := c.container.Get(string(s))
		if target == nil {
			c.fail(RuleRefFormat, quote(s)+" is not a key of the observed-data objects dictionary")
			return
		}
		c.checkRefType(s, target.GetStringBytes("type"), p)
		return
	}
	typ, _, prob := splitID(s)
	switch {
	case prob.rule != "" && typ == nil || prob.why == typePartBad:
		c.fail(RuleRefFormat, quote(s)+" "+prob.why)
		return
	case prob.rule != "":
		// type--<not quite a UUID>: the object's own id check is where a
		// malformed UUID is an error; a reference to one only warns.
		c.warn(RuleRefUUID, quote(s)+" "+prob.why)
	}
	c.checkRefType(s, typ, p)
}

// checkRefType checks that a reference s to an object of type typ is one
// that p allows.
func (c *checker) checkRefType(s, typ []byte, p *prop) {
	for _, d := range p.refDeny {
		if string(typ) == d {
			c.fail(RuleRefType, fmt.Sprintf("%s points to %s, which this property must not reference", quote(s), article(string(typ))))
			return
		}
	}
	if p.refTypes == nil {
		return
	}
	for _, t := range p.refTypes {
		if string(typ) == t || (t == "#sco" && isSCOType(typ)) || (t == "#sdo" && isSDOType(typ)) {
			return
		}
	}
	c.fail(RuleRefType, fmt.Sprintf("%s points to %s, but must reference %s", quote(s), article(string(typ)), describeTypes(p.refTypes)))
}

func describeTypes(ts []string) string {
	out := ""
	for i, t := range ts {
		switch t {
		case "#sco":
			t = "a cyber-observable object"
		case "#sdo":
			t = "an SDO"
		}
		switch {
		case i == 0:
		case i == len(ts)-1:
			out += " or "
		default:
			out += ", "
		}
		out += t
	}
	return out
}

func (c *checker) checkVocab(v *fastjson.Value, voc *vocab) {
	if !c.wantType(v, fastjson.TypeString, "a string") {
		return
	}
	s := v.GetStringBytes()
	if voc.has(s) {
		return
	}
	if voc.open {
		c.warn(RuleVocabOpen, fmt.Sprintf("%s is not in the %s vocabulary", quote(s), voc.name))
	} else {
		c.fail(RuleVocabClosed, fmt.Sprintf("%s is not one of the %s values", quote(s), voc.name))
	}
}

// checkSub checks a nested object against its spec.
func (c *checker) checkSub(v *fastjson.Value, spec *objSpec) {
	if !c.wantType(v, fastjson.TypeObject, "an object") {
		return
	}
	o, _ := v.Object()
	c.checkProps(o, spec, false)
}

// checkDict checks a dictionary (STIX 2.1 section 2.6): at least one key,
// keys of 1 to 250 ASCII characters; values against sub when given.
func (c *checker) checkDict(v *fastjson.Value, sub *objSpec) {
	if !c.wantType(v, fastjson.TypeObject, "a dictionary") {
		return
	}
	o, _ := v.Object()
	if o.Len() == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty dictionary")
		return
	}
	o.Visit(func(k []byte, e *fastjson.Value) {
		c.push(k)
		switch {
		case len(k) == 0:
			c.fail(RulePropertyName, "dictionary keys must not be empty")
		case len(k) > 250:
			c.fail(RulePropertyName, "dictionary key is longer than 250 characters")
		case !isASCII(k):
			c.fail(RulePropertyName, quote(k)+" is not ASCII (dictionary keys must be)")
		}
		if sub != nil {
			c.checkSub(e, sub)
		}
		c.pop()
	})
}

func isASCII(b []byte) bool {
	for _, ch := range b {
		if ch >= 0x80 {
			return false
		}
	}
	return true
}

// checkCustomValue applies what the spec says of every property value,
// known or not: lists are never empty, *_bin is base64, *_hex is hex.
func (c *checker) checkCustomValue(v *fastjson.Value) {
	if v.Type() == fastjson.TypeArray {
		if a, _ := v.Array(); len(a) == 0 {
			c.fail(RulePropertyEmpty, "must not be an empty list")
		}
	}
}
