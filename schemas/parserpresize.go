package schemas

import (
	"reflect"
	"unsafe"

	"github.com/valyala/fastjson"
)

// fastjson keeps the parsed values in one slice (Parser.c.vs), the input
// copy in another (Parser.b), and each object's members and array's
// elements in slices of their own, all grown by append while parsing. A
// parser that is not back from the pool (callers rarely Release a
// Document) thus allocates every value about twice, copies them on each
// doubling, and allocates a few times per object. The pre-scan already
// knows every size, so the slices are made once, exactly, before fastjson
// parses: one array of values, one of members, one of elements.
//
// The fields are unexported, so their place is found by reflection when the
// package loads and checked against the types we expect; if a fastjson
// release changes them, presizing is simply off and parsing works as before.
var parserFields = findParserFields()

// parsedKV has the layout of fastjson's unexported object member type
// (checked by findParserFields).
type parsedKV struct {
	k string          //nolint:unused // read through unsafe: the layout is what counts
	v *fastjson.Value //nolint:unused // as k
}

type parserLayout struct {
	ok            bool
	input, values uintptr // offsets of Parser.b and Parser.c.vs
	members       uintptr // offset of Value.o.kvs
	elements      uintptr // offset of Value.a
}

func findParserFields() (f parserLayout) {
	pt := reflect.TypeFor[fastjson.Parser]()
	b, okB := pt.FieldByName("b")
	c, okC := pt.FieldByName("c")
	if !okB || !okC || b.Type != reflect.TypeFor[[]byte]() || c.Type.Kind() != reflect.Struct {
		return f
	}
	vs, okVS := c.Type.FieldByName("vs")
	if !okVS || vs.Type != reflect.TypeFor[[]fastjson.Value]() {
		return f
	}
	vt := reflect.TypeFor[fastjson.Value]()
	o, okO := vt.FieldByName("o")
	a, okA := vt.FieldByName("a")
	if !okO || !okA || o.Type != reflect.TypeFor[fastjson.Object]() || a.Type != reflect.TypeFor[[]*fastjson.Value]() {
		return f
	}
	kvs, okKVS := o.Type.FieldByName("kvs")
	if !okKVS || kvs.Type.Kind() != reflect.Slice || !sameLayout(kvs.Type.Elem(), reflect.TypeFor[parsedKV]()) {
		return f
	}
	return parserLayout{ok: true, input: b.Offset, values: c.Offset + vs.Offset,
		members: o.Offset + kvs.Offset, elements: a.Offset}
}

// sameLayout reports whether structs x and y have the same fields (names,
// types, offsets) and size.
func sameLayout(x, y reflect.Type) bool {
	if x.Kind() != reflect.Struct || x.Size() != y.Size() || x.NumField() != y.NumField() {
		return false
	}
	for i := range x.NumField() {
		fx, fy := x.Field(i), y.Field(i)
		if fx.Name != fy.Name || fx.Type != fy.Type || fx.Offset != fy.Offset {
			return false
		}
	}
	return true
}

// presizeParser gives p room for an input of n bytes with the values and
// containers the scan found, so that parsing it grows nothing.
func presizeParser(p *fastjson.Parser, n int, scan *scanResult) {
	if !parserFields.ok {
		return
	}
	base := unsafe.Pointer(p)
	if in := (*[]byte)(unsafe.Add(base, parserFields.input)); cap(*in) < n {
		*in = make([]byte, 0, n)
	}
	vsp := (*[]fastjson.Value)(unsafe.Add(base, parserFields.values))
	if cap(*vsp) < scan.values {
		*vsp = make([]fastjson.Value, 0, scan.values)
	}
	// A recycled parser's values keep their member lists; only those too
	// small get new room, carved from one array per kind.
	vs := (*vsp)[:scan.values]
	var needKV, needElems int
	for _, c := range scan.containers {
		if have := cap(*listOf[byte](&vs[c.at], c.object)); have < c.n {
			if c.object {
				needKV += c.n
			} else {
				needElems += c.n
			}
		}
	}
	if needKV == 0 && needElems == 0 {
		return
	}
	kvs, elems := make([]parsedKV, needKV), make([]*fastjson.Value, needElems)
	for _, c := range scan.containers {
		v := &vs[c.at]
		if c.object {
			if l := listOf[parsedKV](v, true); cap(*l) < c.n {
				*l, kvs = kvs[:0:c.n], kvs[c.n:]
			}
		} else if l := listOf[*fastjson.Value](v, false); cap(*l) < c.n {
			*l, elems = elems[:0:c.n], elems[c.n:]
		}
	}
}

// listOf is v's member list (object) or element list (array), seen as a
// slice of E; E must be parsedKV or *fastjson.Value for writes, any type
// to read the capacity.
func listOf[E any](v *fastjson.Value, object bool) *[]E {
	off := parserFields.elements
	if object {
		off = parserFields.members
	}
	return (*[]E)(unsafe.Add(unsafe.Pointer(v), off))
}
