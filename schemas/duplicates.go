package schemas

import (
	"bytes"

	"github.com/valyala/fastjson"
)

// checkDuplicates walks the whole document and reports every object key
// that appears twice in one object. fastjson keeps duplicates (and Get
// returns the first), so they would otherwise pass unseen.
func (c *checker) checkDuplicates(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		n := o.Len()
		if n > 1 {
			c.findDuplicateKeys(o, n)
		}
		o.Visit(func(k []byte, e *fastjson.Value) {
			if t := e.Type(); t == fastjson.TypeObject || t == fastjson.TypeArray {
				c.push(k)
				c.checkDuplicates(e)
				c.pop()
			}
		})
	case fastjson.TypeArray:
		a, _ := v.Array()
		for i, e := range a {
			if t := e.Type(); t == fastjson.TypeObject || t == fastjson.TypeArray {
				c.pushIdx(i)
				c.checkDuplicates(e)
				c.pop()
			}
		}
	}
}

func (c *checker) findDuplicateKeys(o *fastjson.Object, n int) {
	if n <= 32 {
		var keys [32][]byte
		i := 0
		o.Visit(func(k []byte, _ *fastjson.Value) {
			for _, prev := range keys[:i] {
				if bytes.Equal(prev, k) {
					c.reportDuplicate(k)
					break
				}
			}
			keys[i] = k
			i++
		})
		return
	}
	seen := make(map[string]struct{}, n)
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if _, dup := seen[string(k)]; dup {
			c.reportDuplicate(k)
			return
		}
		seen[string(k)] = struct{}{}
	})
}

func (c *checker) reportDuplicate(k []byte) {
	obj := c.obj
	c.obj = c.objectOf()
	c.push(k)
	c.add(SeverityError, RuleJSONDuplicateKey, "duplicate key "+quote(k)+" in one JSON object")
	c.pop()
	c.obj = obj
}

// objectOf finds which bundle object the current path is inside, or -1.
func (c *checker) objectOf() int {
	if c.d.Bundle && len(c.segs) >= 2 && c.segs[0].name() == "objects" && c.segs[1].isIdx() {
		return c.segs[1].idx
	}
	if !c.d.Bundle {
		return 0
	}
	return -1
}
