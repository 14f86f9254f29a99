package schemas

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
)

// relationshipDeny: relationships cannot link bundles, marking
// definitions, sightings, other relationships or meta objects.
var relationshipDeny = []string{"bundle", "marking-definition", "relationship", "sighting",
	"language-content", "extension-definition"}

func sroSpecs() []*objSpec {
	return []*objSpec{
		sdo("relationship", props("relationship_type", pStr(), "description", pStr(),
			"source_ref", prop{kind: kRef, refDeny: relationshipDeny},
			"target_ref", prop{kind: kRef, refDeny: relationshipDeny},
			"start_time", pTS(), "stop_time", pTS()),
			[]string{"relationship_type", "source_ref", "target_ref"}, checkRelationship),
		sdo("sighting", props("description", pStr(), "first_seen", pTS(), "last_seen", pTS(),
			"count", pIntR(0, 999999999), "sighting_of_ref", pRef("#sdo"),
			"observed_data_refs", pRefs("observed-data"), "where_sighted_refs", pRefs("identity", "location"),
			"summary", pBool()),
			[]string{"sighting_of_ref"}, seenOrder),
	}
}

func checkRelationship(c *checker, o *fastjson.Object) {
	checkSuggestedRelationship(c, o)
	c.order(o, "start_time", "stop_time", true)
	rt := o.Get("relationship_type")
	if rt == nil || rt.Type() != fastjson.TypeString {
		return
	}
	s := rt.GetStringBytes()
	ok := len(s) >= 3 && len(s) <= 250 && s[0] >= 'a' && s[0] <= 'z'
	for _, ch := range s {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
			ok = false
		}
	}
	if !ok {
		c.failKey(o, "relationship_type", RuleRelationshipType, quote(s)+" must be 3 to 250 characters of a-z, 0-9 and hyphens")
	}
}

var markingDefinitionSpec = &objSpec{name: "marking-definition", class: classSDO,
	props: props(
		"type", prop{kind: kType}, "spec_version", prop{kind: kSpecVersion}, "id", prop{kind: kIDSelf},
		"created_by_ref", pRef("identity"), "created", pTS(),
		"external_references", prop{kind: kExtRefs}, "object_marking_refs", pRefs("marking-definition"),
		"granular_markings", prop{kind: kGranular}, "extensions", prop{kind: kExtensions},
		"name", pStr(), "definition_type", pStr(), "definition", pAny(), "modified", pAny()),
	required: []string{"type", "spec_version", "id", "created"},
	forbid:   []string{"revoked", "labels", "confidence", "lang"},
	check:    checkMarkingDefinition,
}

var languageContentSpec = sdo("language-content", props("object_ref", pRef(), "object_modified", prop{kind: kTimestampMillis},
	"contents", pAny()), []string{"object_ref", "contents"}, checkLanguageContent)

var extensionDefinitionSpec = sdo("extension-definition", props("name", pStr(), "description", pStr(),
	"schema", pStr(), "version", pStr(), "extension_types", pVocabs(extensionTypeVocab),
	"extension_properties", pStrs()),
	[]string{"created_by_ref", "name", "schema", "version", "extension_types"}, checkExtensionDefinition)

// checkExtensionDefinition: extension_properties MUST only be used with a
// toplevel-property-extension (STIX 2.1 section 7.3); without one it lists
// properties nothing adds.
func checkExtensionDefinition(c *checker, o *fastjson.Object) {
	toplevel := false
	if types := o.Get("extension_types"); types != nil {
		arr, _ := types.Array()
		for _, t := range arr {
			toplevel = toplevel || string(t.GetStringBytes()) == "toplevel-property-extension"
		}
	}
	if o.Get("extension_properties") != nil && !toplevel {
		c.failKey(o, "extension_properties", RulePropertyDepend, "must only be present when extension_types has toplevel-property-extension")
	}
	if toplevel && o.Get("extension_properties") == nil {
		c.warnKey(o, "extension_properties", RuleExtensionStyle, "should list the properties of a toplevel-property-extension")
	}
}

// checkLanguageContent: contents maps language tags to dictionaries whose
// keys are property names of the object it translates (STIX 2.1 section 7.1).
func checkLanguageContent(c *checker, o *fastjson.Object) {
	cv := o.Get("contents")
	if cv == nil {
		return
	}
	c.pushS("contents")
	defer c.pop()
	if !c.wantType(cv, fastjson.TypeObject, "a dictionary") {
		return
	}
	co, _ := cv.Object()
	if co.Len() == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty dictionary")
		return
	}
	co.Visit(func(lang []byte, tr *fastjson.Value) {
		c.push(lang)
		defer c.pop()
		if !isLangTag(lang) {
			c.fail(RuleLanguageContent, quote(lang)+" is not an RFC 5646 language tag")
		}
		if !c.wantType(tr, fastjson.TypeObject, "a dictionary of translated properties") {
			return
		}
		to, _ := tr.Object()
		to.Visit(func(k []byte, _ *fastjson.Value) {
			if !validPropertyName(k) {
				c.push(k)
				c.fail(RuleLanguageContent, quote(k)+" is not a property name of the translated object")
				c.pop()
			}
		})
	})
}

// checkMarkingDefinition: a statement or tlp definition, or an extension
// (TLP 2.0 and others), and the fixed content of the TLP 1.0 objects.
func checkMarkingDefinition(c *checker, o *fastjson.Object) {
	id := o.Get("id").GetStringBytes()
	checkCircularMarking(c, o, id)
	if o.Get("modified") != nil {
		// Not among its properties (section 7.2.1), but no MUST NOT either:
		// OASIS's own cti-stix-common-objects carry it.
		c.warnKey(o, "modified", RuleMarkingModified, "marking definitions are not versioned; modified means nothing here")
	}
	if lvl, ok := tlp1ByID[string(id)]; ok {
		checkTLP1(c, o, lvl)
		return
	}
	dt, def := o.Get("definition_type"), o.Get("definition")
	switch {
	case dt == nil && def == nil:
		if o.Get("extensions") == nil {
			c.fail(RuleMarkingDefinition, "a marking-definition must have definition_type and definition, or an extension that defines the marking")
		}
	case dt == nil || def == nil:
		c.fail(RuleMarkingDefinition, "definition_type and definition must be given together")
	default:
		checkMarkingBody(c, dt, def)
	}
	checkTLP2(c, o, id)
}

func checkMarkingBody(c *checker, dt, def *fastjson.Value) {
	c.pushS("definition")
	defer c.pop()
	if !c.wantType(def, fastjson.TypeObject, "an object") {
		return
	}
	switch string(dt.GetStringBytes()) {
	case "statement":
		if s := def.Get("statement"); s == nil || s.Type() != fastjson.TypeString {
			c.fail(RuleMarkingDefinition, "a statement marking must have a string statement")
		}
	case "tlp":
		t := def.Get("tlp")
		switch string(t.GetStringBytes()) {
		case "white", "green", "amber", "red":
			c.fail(RuleMarkingTLP1, "a tlp marking must be one of the four predefined TLP 1.0 objects; this one has another id")
		default:
			c.fail(RuleMarkingDefinition, "tlp must be one of white, green, amber, red")
		}
	}
}

// checkCircularMarking: a marking definition must not mark itself.
func checkCircularMarking(c *checker, o *fastjson.Object, id []byte) {
	if len(id) == 0 {
		return
	}
	refs := arrayOf(o.Get("object_marking_refs"))
	for i, r := range refs {
		if string(r.GetStringBytes()) == string(id) {
			c.pushS("object_marking_refs")
			c.pushIdx(i)
			c.fail(RuleMarkingCircular, "a marking definition must not reference itself")
			c.pop()
			c.pop()
		}
	}
	gms := arrayOf(o.Get("granular_markings"))
	for i, g := range gms {
		if string(g.GetStringBytes("marking_ref")) == string(id) {
			c.pushS("granular_markings")
			c.pushIdx(i)
			c.pushS("marking_ref")
			c.fail(RuleMarkingCircular, "a marking definition must not reference itself")
			c.pop()
			c.pop()
			c.pop()
		}
	}
}

// The predefined TLP 1.0 markings (STIX 2.1 section 7.2.1.4): fixed
// objects, never versioned, so any other content under their ids is a
// conflicting copy.
type tlp1 struct{ level, name string }

var tlp1ByID = map[string]tlp1{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": {"white", "TLP:WHITE"},
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": {"green", "TLP:GREEN"},
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": {"amber", "TLP:AMBER"},
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": {"red", "TLP:RED"},
}

const tlp1Created = "2017-01-20T00:00:00.000Z"

func checkTLP1(c *checker, o *fastjson.Object, want tlp1) {
	bad := func(key, why string) {
		c.failKey(o, key, RuleMarkingTLP1, why+" (the predefined "+want.name+" marking is a fixed object)")
	}
	o.Visit(func(k []byte, v *fastjson.Value) {
		switch string(k) {
		case "type", "spec_version", "id":
		case "created":
			if string(v.GetStringBytes()) != tlp1Created {
				bad("created", fmt.Sprintf("%s differs from %q", show(v), tlp1Created))
			}
		case "name":
			if string(v.GetStringBytes()) != want.name {
				bad("name", fmt.Sprintf("%s differs from %q", show(v), want.name))
			}
		case "definition_type":
			if string(v.GetStringBytes()) != "tlp" {
				bad("definition_type", fmt.Sprintf("%s differs from \"tlp\"", show(v)))
			}
		case "definition":
			do, err := v.Object()
			if err != nil || do.Len() != 1 || string(v.GetStringBytes("tlp")) != want.level {
				bad("definition", fmt.Sprintf("%s differs from {\"tlp\":%q}", show(v), want.level))
			}
		default:
			bad(string(k), "must not be present")
		}
	})
	for _, k := range [...]string{"definition_type", "definition"} {
		if o.Get(k) == nil {
			bad(k, "is missing")
		}
	}
}

// TLP 2.0 (the FIRST standard as a STIX extension, cti-stix-common-objects).
const tlp2Ext = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

var tlp2ByID = map[string]string{
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}

func checkTLP2(c *checker, o *fastjson.Object, id []byte) {
	ext := o.Get("extensions").Get(tlp2Ext)
	want, predefined := tlp2ByID[string(id)]
	if ext == nil {
		if predefined {
			c.failKey(o, "extensions", RuleMarkingTLP2, fmt.Sprintf("the predefined TLP:%s marking must carry the TLP 2.0 extension %s", bytes.ToUpper([]byte(want)), tlp2Ext))
		}
		return
	}
	c.pushS("extensions")
	c.pushS(tlp2Ext)
	defer func() { c.pop(); c.pop() }()
	lvl := ext.Get("tlp_2_0")
	if lvl == nil || lvl.Type() != fastjson.TypeString {
		c.fail(RuleMarkingTLP2, "a TLP 2.0 marking must have tlp_2_0 as a string")
		return
	}
	s := string(lvl.GetStringBytes())
	switch s {
	case "clear", "green", "amber", "amber+strict", "red":
	default:
		c.fail(RuleMarkingTLP2, fmt.Sprintf("tlp_2_0 %q is not one of clear, green, amber, amber+strict, red", s))
		return
	}
	if predefined && s != want {
		c.fail(RuleMarkingTLP2, fmt.Sprintf("tlp_2_0 %q differs from %q, the level of this predefined TLP 2.0 id", s, want))
	}
}

// isPredefinedID: ids fixed by the standards, whose UUID versions are what
// they are.
func isPredefinedID(id []byte) bool {
	_, a := tlp1ByID[string(id)]
	_, b := tlp2ByID[string(id)]
	return a || b
}
