package oasis

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas"
)

// CheckObject validates one STIX object against the schema for its type and
// returns one finding per schema violation, located under pointer (the
// object's own JSON pointer in its document).
func (k *Checker) CheckObject(obj *fastjson.Value, pointer string) []schemas.Finding {
	err := k.schemaFor(obj).Validate(toAny(obj))
	if err == nil {
		return nil
	}
	return findings(err, pointer, objectIndex(pointer))
}

// schemaFor chooses the schema as cti-stix-validator 3.x does
// (validator._schema_validate): the schema named after the type, else, for a
// custom type, cyber-observable-core.json when the object has "type" and
// "id" but neither "created" nor "modified" (STIX 2.1 SCOs have neither), and
// core.json otherwise.
func (k *Checker) schemaFor(obj *fastjson.Value) *jsonschema.Schema {
	if s, ok := k.byType[string(obj.GetStringBytes("type"))]; ok {
		return s
	}
	if obj.Exists("type") && obj.Exists("id") && !obj.Exists("created") && !obj.Exists("modified") {
		return k.observable
	}
	return k.core
}

// toAny converts a parsed value to the form jsonschema validates: maps,
// slices, strings, bools, nil, and json.Number so no number loses precision.
func toAny(v *fastjson.Value) any {
	switch v.Type() {
	case fastjson.TypeObject:
		o := v.GetObject()
		m := make(map[string]any, o.Len())
		o.Visit(func(key []byte, v *fastjson.Value) { m[string(key)] = toAny(v) })
		return m
	case fastjson.TypeArray:
		items := v.GetArray()
		a := make([]any, len(items))
		for i, item := range items {
			a[i] = toAny(item)
		}
		return a
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeNumber:
		return json.Number(v.MarshalTo(nil))
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	default:
		return nil
	}
}

// objectIndex is the index into schemas.Document.Objects that pointer names:
// "/objects/3" is 3, "" (a document that is one object) is 0.
func objectIndex(pointer string) int {
	if pointer == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(pointer, "/objects/")); err == nil && n >= 0 {
		return n
	}
	return -1
}
