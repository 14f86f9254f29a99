package schemas

import (
	"fmt"

	"github.com/valyala/fastjson"
)

// checkContainer checks observed-data's deprecated objects dictionary (the
// STIX 2.0 cyber observable container, still allowed in 2.1): every entry
// is a cyber-observable, checked like a top-level one except that it needs
// no id and its references are keys of the dictionary.
func (c *checker) checkContainer(v *fastjson.Value) {
	if !c.wantType(v, fastjson.TypeObject, "a dictionary of cyber-observables") {
		return
	}
	co, _ := v.Object()
	if co.Len() == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty dictionary")
		return
	}
	if c.container != nil {
		return // no containers inside containers
	}
	saved := c.state
	c.container = co
	co.Visit(func(k []byte, e *fastjson.Value) {
		c.push(k)
		c.checkContained(e)
		c.pop()
	})
	c.container = nil
	c.state = saved
	c.cur = &c.state
}

func (c *checker) checkContained(v *fastjson.Value) {
	if !c.wantType(v, fastjson.TypeObject, "a cyber-observable object") {
		return
	}
	o, _ := v.Object()
	typ := o.Get("type")
	if typ == nil {
		c.failKey(o, "type", RulePropertyRequired, "required property is missing")
		return
	}
	t := typ.GetStringBytes()
	if typ.Type() != fastjson.TypeString || !validTypeName(t) {
		c.pushS("type")
		c.fail(RuleObjectType, fmt.Sprintf("%s is not a valid type name", show(typ)))
		c.pop()
		return
	}
	c.state = objState{o: o, typ: t}
	c.cur = &c.state
	spec := typeSpecs[string(t)]
	if spec == nil || spec.class != classSCO {
		if spec != nil {
			c.pushS("type")
			c.fail(RuleObjectType, quote(t)+" is not a cyber-observable type")
			c.pop()
			return
		}
		spec = customSCOSpec
		c.state.custom = true
	}
	c.state.spec = spec
	c.state.scanExtensions()
	if o.Get("id") != nil {
		c.checkID(o, &c.state)
	}
	c.checkProps(o, spec, true)
}
