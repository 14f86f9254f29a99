package schemas

import (
	"reflect"
	"unsafe"

	"github.com/valyala/fastjson"
)

// fastjson keeps the parsed values in one slice (Parser.c.vs) and the input
// copy in another (Parser.b), both grown by append while parsing. A parser
// that is not back from the pool (callers rarely Release a Document) thus
// allocates every value about twice and copies them on each doubling, which
// costs more than the parse itself. The pre-scan already counts the values,
// so the slices are sized once, exactly, before fastjson parses.
//
// The fields are unexported, so their place is found by reflection when the
// package loads and checked against the types we expect; if a fastjson
// release changes them, presizing is simply off and parsing works as before.
var parserFields = func() (f struct {
	ok            bool
	input, values uintptr // offsets of Parser.b and Parser.c.vs
}) {
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
	f.ok, f.input, f.values = true, b.Offset, c.Offset+vs.Offset
	return f
}()

// presizeParser gives p room for an input of n bytes holding values JSON
// values, so that parsing it grows nothing.
func presizeParser(p *fastjson.Parser, n, values int) {
	if !parserFields.ok {
		return
	}
	base := unsafe.Pointer(p)
	if in := (*[]byte)(unsafe.Add(base, parserFields.input)); cap(*in) < n {
		*in = make([]byte, 0, n)
	}
	if vs := (*[]fastjson.Value)(unsafe.Add(base, parserFields.values)); cap(*vs) < values {
		*vs = make([]fastjson.Value, 0, values)
	}
}
