package schemas

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/valyala/fastjson"
)

// checkBundle checks the envelope (STIX 2.1 section 8) and then each object.
func (c *checker) checkBundle(d *Document) {
	c.checkEnvelope(d.Root, -1)
	inChunks(c.v.opts.Workers, len(d.Objects), c.rep, func(lo, hi int, rep *Report) {
		ck := newChecker(c.v, d, rep)
		defer ck.recycle()
		ck.checkObjects(lo, hi, func(i int) (*fastjson.Value, error) { return d.Objects[i], nil })
	})
}

// checkEnvelope checks the bundle's own properties. objects is the length
// of its "objects" list, or -1 to count the list root holds.
func (c *checker) checkEnvelope(root *fastjson.Value, objects int) {
	o, _ := root.Object()
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
				n := objects
				if n < 0 {
					a, _ := v.Array()
					n = len(a)
				}
				if n == 0 {
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
}

// inChunks runs check on the objects 0 to n, on up to workers goroutines.
// Objects are checked independently (each reads only its own subtree of
// the document), so each chunk gets a report of its own; those are
// appended to rep in object order.
func inChunks(workers, n int, rep *Report, check func(lo, hi int, rep *Report)) {
	workers = min(workers, n/minObjectsPerWorker)
	if workers <= 1 {
		check(0, n, rep)
		return
	}
	reps := make([]Report, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { check(k*n/workers, (k+1)*n/workers, &reps[k]) })
	}
	wg.Wait()
	for _, r := range reps {
		rep.Errors = append(rep.Errors, r.Errors...)
		rep.Warnings = append(rep.Warnings, r.Warnings...)
	}
}

// minObjectsPerWorker: below this many objects per goroutine, handing them
// out costs more than it saves.
const minObjectsPerWorker = 256

// checkObjects checks the bundle's objects from index lo up to hi, which
// objectAt gives (parsing them, for Check).
func (c *checker) checkObjects(lo, hi int, objectAt func(i int) (*fastjson.Value, error)) {
	c.pushS("objects")
	for i := lo; i < hi; i++ {
		obj, err := objectAt(i)
		c.pushIdx(i)
		if err != nil { // the pre-scan accepts only what fastjson parses; keep a clear error anyway
			c.obj = i
			c.fail(RuleJSONSyntax, err.Error())
			c.obj = -1
			c.pop()
			continue
		}
		c.checkObject(i, obj)
		c.obj = -1
		c.pop()
		c.runExtra(i, obj)
	}
	c.pop()
}
