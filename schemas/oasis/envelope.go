package oasis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas"
)

// Check gives the OASIS-schema verdict on a whole document (a bundle or one
// object): the bundle envelope, then every object on its own.
//
// The envelope is checked here, not with common/bundle.json: that schema
// checks the items of "objects" with oneOf(core.json,
// cyber-observable-core.json) for every type it does not list (location,
// grouping, note, opinion, incident, extension-definition, all custom
// objects), and an SDO matches both branches, so it rejects every bundle
// holding one, ATT&CK included. The OASIS stix2-validator likewise strips
// "objects" from bundle.json and checks each object against its own type's
// schema. What remains of bundle.json is checked below, rule for rule.
func (k *Checker) Check(data []byte) []schemas.Finding {
	var p fastjson.Parser
	root, err := p.ParseBytes(data)
	if err != nil {
		return []schemas.Finding{{Object: -1, Rule: "oasis.json", Message: "not well-formed JSON: " + oneLine(err.Error())}}
	}
	if root.Type() != fastjson.TypeObject || string(root.GetStringBytes("type")) != "bundle" {
		return k.CheckObject(root, "")
	}
	out := k.checkEnvelope(root)
	for i, obj := range root.GetArray("objects") {
		out = append(out, k.CheckObject(obj, fmt.Sprintf("/objects/%d", i))...)
	}
	return out
}

// checkEnvelope applies bundle.json without its "objects" items: "type" is
// "bundle" (the caller's premise), "id" is an identifier (identifier.json)
// starting with "bundle--", and "objects", which is optional, is a non-empty
// array when present.
func (k *Checker) checkEnvelope(root *fastjson.Value) []schemas.Finding {
	var out []schemas.Finding
	add := func(ptr, format string, args ...any) {
		out = append(out, schemas.Finding{Object: -1, Pointer: ptr, Rule: RuleSchema, Message: fmt.Sprintf(format, args...)})
	}
	switch id := root.Get("id"); {
	case id == nil:
		add("", "missing property 'id'")
	case id.Type() != fastjson.TypeString:
		add("/id", "got %s, want string", id.Type())
	default:
		s := string(id.GetStringBytes())
		if err := k.identifier.Validate(s); err != nil {
			out = append(out, findings(err, "/id", -1)...)
		}
		if !strings.HasPrefix(s, "bundle--") {
			add("/id", "'%s' does not match pattern '^bundle--'", escaped(s))
		}
	}
	if objects := root.Get("objects"); objects != nil {
		switch {
		case objects.Type() != fastjson.TypeArray:
			add("/objects", "got %s, want array", objects.Type())
		case len(objects.GetArray()) == 0:
			add("/objects", "minItems: got 0, want 1")
		}
	}
	return out
}

// escaped is s with its control characters and quotes escaped as in a Go
// string, so a finding quoting it stays one line.
func escaped(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
