package schemas

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
)

// objState is what the checks of one top-level object share.
type objState struct {
	o          *fastjson.Object
	typ        []byte
	spec       *objSpec
	custom     bool // a type this validator does not know
	extDefined bool // defined by an extension-definition (new-sdo/sco/sro)
	toplevel   bool // has a toplevel-property-extension: unknown top-level properties are its own
	extClass   class
}

// reservedProps may not be used on SDOs, SROs (STIX 2.1 section 3.2) and
// SCOs (section 6.1).
var reservedProps = [...]string{"severity", "action", "username", "phone_numbers"}

// reservedTypes may not be used as object types.
var reservedTypes = [...]string{"action"}

// checkObject checks Objects[i] (value v).
func (c *checker) checkObject(i int, v *fastjson.Value) {
	c.obj = i
	c.base = len(c.segs)
	if v.Type() != fastjson.TypeObject {
		c.fail(RuleObjectType, fmt.Sprintf("is %s, not a STIX object", typeName(v)))
		return
	}
	o, _ := v.Object()
	c.state = objState{o: o}
	st := &c.state
	c.cur = st

	tv := o.Get("type")
	switch {
	case tv == nil:
		c.failKey(o, "type", RulePropertyRequired, "required property is missing")
		return
	case tv.Type() != fastjson.TypeString:
		c.pushS("type")
		c.fail(RuleObjectType, fmt.Sprintf("%s is %s, not a type name", show(tv), typeName(tv)))
		c.pop()
		return
	}
	st.typ = tv.GetStringBytes()
	if !validTypeName(st.typ) {
		c.pushS("type")
		c.fail(RuleObjectType, quote(st.typ)+" is not a valid type name (a-z, 0-9 and hyphens, starting with a letter, 3 to 250 characters)")
		c.pop()
		return
	}
	for _, r := range reservedTypes {
		if string(st.typ) == r {
			c.pushS("type")
			c.fail(RuleObjectType, quote(st.typ)+" is a reserved type name")
			c.pop()
			return
		}
	}
	if string(st.typ) == "bundle" && c.d.Bundle {
		c.pushS("type")
		c.fail(RuleObjectType, `"bundle" is not a STIX object: bundles cannot be nested`)
		c.pop()
		return
	}
	st.scanExtensions()
	st.spec = typeSpecs[string(st.typ)]
	if st.spec == nil {
		st.custom = true
		st.spec = customSDOSpec
		if o.Get("created") == nil && o.Get("modified") == nil || st.extClass == classSCO {
			st.spec = customSCOSpec
		}
		if !st.extDefined {
			c.pushS("type")
			c.warn(RuleObjectCustom, quote(st.typ)+" is a custom object type not defined by an extension-definition (new-sdo, new-sco or new-sro)")
			c.pop()
		}
	}
	c.checkID(o, st)
	c.checkProps(o, st.spec, true)
	if st.spec.class == classSCO {
		c.checkSCOExtensionStyle(o)
	}
	c.cur = nil
}

// checkID checks the object's id: type--UUID with the object's own type,
// an RFC 4122 UUID, and the recommended version.
func (c *checker) checkID(o *fastjson.Object, st *objState) {
	v := o.Get("id")
	if v == nil {
		return // the required-property check reports it
	}
	c.pushS("id")
	defer c.pop()
	if !c.wantType(v, fastjson.TypeString, "an identifier") {
		return
	}
	s := v.GetStringBytes()
	typ, ver, prob := splitID(s)
	if prob.rule != "" {
		c.fail(prob.rule, quote(s)+" "+prob.why)
		return
	}
	if !bytes.Equal(typ, st.typ) {
		c.fail(RuleIDType, fmt.Sprintf("%s does not start with %q (the object's type)", quote(s), string(st.typ)+"--"))
		return
	}
	want := byte('4')
	if st.spec.class == classSCO {
		want = '5'
	}
	if ver != want && !isPredefinedID(s) {
		c.warn(RuleIDUUIDVersion, fmt.Sprintf("%s uses a version %c UUID; version %c is recommended for %s objects", quote(s), ver, want, classWord(st.spec.class)))
	}
}

func classWord(cl class) string {
	if cl == classSCO {
		return "cyber-observable"
	}
	return "domain, relationship and meta"
}

// extClass is the class an extension-definition gives a new object type.
func (st *objState) scanExtensions() {
	ext := st.o.Get("extensions")
	if ext == nil || ext.Type() != fastjson.TypeObject {
		return
	}
	eo, _ := ext.Object()
	eo.Visit(func(k []byte, v *fastjson.Value) {
		if !bytes.HasPrefix(k, []byte("extension-definition--")) {
			return
		}
		switch string(v.GetStringBytes("extension_type")) {
		case "toplevel-property-extension":
			st.toplevel = true
		case "new-sdo", "new-sro":
			st.extDefined = true
			st.extClass = classSDO
		case "new-sco":
			st.extDefined = true
			st.extClass = classSCO
		}
	})
}

// checkProps checks every property of o against spec: known properties by
// kind, unknown ones by the custom-property rules, then the required and
// forbidden lists and the type's cross-property rules.
func (c *checker) checkProps(o *fastjson.Object, spec *objSpec, top bool) {
	mark := len(c.customs)
	o.Visit(func(k []byte, v *fastjson.Value) {
		c.push(k)
		if p := spec.props[string(k)]; p != nil {
			c.checkValue(v, p)
		} else {
			c.unknownProp(k, v, spec, top)
		}
		c.pop()
	})
	if len(c.customs) > mark {
		c.warnCustoms(c.customs[mark:])
		c.customs = c.customs[:mark]
	}
	for _, r := range spec.required {
		if o.Get(r) == nil && !(r == "id" && c.container != nil && top) {
			c.failKey(o, r, RulePropertyRequired, "required property is missing")
		}
	}
	for _, f := range spec.forbid {
		if o.Get(f) != nil {
			c.pushS(f)
			c.fail(RulePropertyForbid, "must not be present on "+article(spec.name))
			c.pop()
		}
	}
	if spec.check != nil {
		spec.check(c, o)
	}
}

func article(s string) string {
	if s != "" && bytes.IndexByte([]byte("aeiou"), s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}

// unknownProp applies the custom-property rules (STIX 2.1 sections 3.1 and
// 11.1) to a property the type does not define.
func (c *checker) unknownProp(k []byte, v *fastjson.Value, spec *objSpec, top bool) {
	if !validPropertyName(k) {
		c.fail(RulePropertyName, "is not a valid property name (lowercase a-z, 0-9 and _, starting with a letter, 3 to 250 characters)")
		return
	}
	if top && (spec.class == classSDO || spec.class == classSCO) {
		for _, r := range reservedProps {
			if string(k) == r {
				c.fail(RulePropertyReserved, "is a reserved property name and must not be used")
				return
			}
		}
	}
	c.checkCustomValue(v)
	switch {
	case bytes.HasSuffix(k, []byte("_bin")):
		c.checkValue(v, &prop{kind: kBinary})
	case bytes.HasSuffix(k, []byte("_hex")):
		c.checkValue(v, &prop{kind: kHex})
	}
	if spec.open || (top && c.cur != nil && (c.cur.custom || c.cur.toplevel)) {
		return
	}
	c.customs = append(c.customs, k)
}

// warnCustoms reports the custom properties of one object in one warning:
// ATT&CK objects carry a dozen x_mitre_ properties each, and a warning
// per property would cost more than validating them.
func (c *checker) warnCustoms(keys [][]byte) {
	const why = " outside an extension (deprecated in STIX 2.1; use an extension-definition)"
	if len(keys) == 1 {
		c.push(keys[0])
		c.warn(RulePropertyCustom, "custom property"+why)
		c.pop()
		return
	}
	var buf [512]byte
	b := c.appendLabel(buf[:0])
	b = append(b, ": "...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
	}
	b = append(b, ": custom properties"+why...)
	c.add(SeverityWarning, RulePropertyCustom, string(b))
}
