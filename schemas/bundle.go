package schemas

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/valyala/fastjson"
)

// checkBundle checks the envelope (STIX 2.1 section 8) and then each object.
func (c *checker) checkBundle(d *Document) {
	o, _ := d.Root.Object()
	o.Visit(func(k []byte, v *fastjson.Value) {
		c.push(k)
		defer c.pop()
		switch string(k) {
		case "type":
		case "id":
			if !c.wantType(v, fastjson.TypeString, "an identifier") {
				return
			}
			s := v.GetStringBytes()
			typ, _, prob := splitID(s)
			switch {
			case prob.rule != "":
				c.fail(prob.rule, quote(s)+" "+prob.why)
			case !bytes.Equal(typ, []byte("bundle")):
				c.fail(RuleIDType, quote(s)+` does not start with "bundle--"`)
			}
		case "objects":
			if c.wantType(v, fastjson.TypeArray, "a list of STIX objects") {
				if a, _ := v.Array(); len(a) == 0 {
					c.fail(RulePropertyEmpty, "must not be an empty list (omit it instead)")
				}
			}
		case "spec_version":
			// STIX 2.1 bundles have no spec_version; "2.1" is a harmless
			// leftover (ATT&CK writes it), anything else is STIX 2.0.
			if string(v.GetStringBytes()) == "2.1" {
				c.warn(RuleBundleSpecVersion, `"2.1": a STIX 2.1 bundle has no spec_version`)
			} else {
				c.fail(RuleBundleProperty, fmt.Sprintf("%s: a STIX 2.1 bundle has no spec_version (this looks like STIX 2.0 content)", show(v)))
			}
		default:
			if !validPropertyName(k) {
				c.fail(RulePropertyName, "is not a valid property name")
			} else {
				c.warn(RulePropertyCustom, "custom property on a bundle")
			}
		}
	})
	if o.Get("id") == nil {
		c.failKey(o, "id", RulePropertyRequired, "required property is missing")
	}
	workers := min(c.v.opts.Workers, len(d.Objects)/minObjectsPerWorker)
	if workers <= 1 {
		c.checkObjects(0, len(d.Objects))
		return
	}
	// Objects are checked independently (each reads only its own subtree
	// of the document), so chunks of them go to checkers of their own,
	// whose reports are appended in object order.
	reps := make([]Report, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ck := newChecker(c.v, d, &reps[k])
			defer ck.recycle()
			ck.checkObjects(k*len(d.Objects)/workers, (k+1)*len(d.Objects)/workers)
		}()
	}
	wg.Wait()
	for _, r := range reps {
		c.rep.Errors = append(c.rep.Errors, r.Errors...)
		c.rep.Warnings = append(c.rep.Warnings, r.Warnings...)
	}
}

// minObjectsPerWorker: below this many objects per goroutine, handing them
// out costs more than it saves.
const minObjectsPerWorker = 256

// checkObjects checks the bundle's objects from index lo up to hi.
func (c *checker) checkObjects(lo, hi int) {
	c.pushS("objects")
	for i := lo; i < hi; i++ {
		obj := c.d.Objects[i]
		c.pushIdx(i)
		c.checkObject(i, obj)
		c.obj = -1
		c.pop()
		c.runExtra(i, obj)
	}
	c.pop()
}
