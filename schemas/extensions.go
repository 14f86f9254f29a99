package schemas

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
)

var extensionTypeVocab = newVocab("extension-type-enum", false,
	"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension")

// extensionContentSpec checks what an extension-definition's own schema
// governs: only the rules every property obeys.
var extensionContentSpec = &objSpec{name: "extension", open: true,
	props: props("extension_type", pVocab(extensionTypeVocab))}

// customExtSpec is a custom "-ext" extension (the STIX 2.0 way).
var customExtSpec = &objSpec{name: "extension", open: true}

// checkExtensions checks the extensions dictionary at the current path:
// keys are predefined "-ext" names of this type or extension-definition
// ids (STIX 2.1 section 7.3).
func (c *checker) checkExtensions(v *fastjson.Value) {
	if !c.wantType(v, fastjson.TypeObject, "a dictionary of extensions") {
		return
	}
	eo, _ := v.Object()
	if eo.Len() == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty dictionary")
		return
	}
	var own map[string]*objSpec
	if c.cur != nil && c.cur.spec != nil {
		own = c.cur.spec.exts
	}
	eo.Visit(func(k []byte, e *fastjson.Value) {
		c.push(k)
		defer c.pop()
		switch {
		case bytes.HasPrefix(k, []byte("extension-definition--")):
			if _, _, prob := splitID(k); prob.rule != "" {
				c.fail(RuleExtensionKey, quote(k)+" "+prob.why)
				return
			}
			if !c.wantType(e, fastjson.TypeObject, "an extension object") {
				return
			}
			o, _ := e.Object()
			if o.Len() == 0 {
				c.fail(RuleExtensionValue, "must not be an empty extension")
				return
			}
			if o.Get("extension_type") == nil {
				c.failKey(o, "extension_type", RuleExtensionType, "required property is missing")
			}
			c.checkProps(o, extensionContentSpec, false)
		case bytes.HasSuffix(k, []byte("-ext")) && validTypeName(k):
			if !c.wantType(e, fastjson.TypeObject, "an extension object") {
				return
			}
			o, _ := e.Object()
			if o.Len() == 0 {
				c.fail(RuleExtensionValue, "must not be an empty extension")
				return
			}
			if spec := own[string(k)]; spec != nil {
				c.checkProps(o, spec, false)
				return
			}
			if predefinedExt(k) {
				c.fail(RuleExtensionKey, fmt.Sprintf("%s is a predefined extension of another object type, not of %s", quote(k), c.cur.typ))
				return
			}
			c.warn(RuleExtensionName, quote(k)+" is a custom extension without an extension-definition (deprecated in STIX 2.1)")
			c.checkProps(o, customExtSpec, false)
		default:
			c.fail(RuleExtensionKey, quote(k)+" is neither a predefined \"-ext\" extension name nor an extension-definition id")
		}
	})
}

func predefinedExt(k []byte) bool {
	for _, s := range typeSpecs {
		if s.exts[string(k)] != nil {
			return true
		}
	}
	return false
}
