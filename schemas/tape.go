package schemas

import (
	"reflect"
	"runtime"
	"unsafe"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/internal/hugemem"
)

// Check's pre-scan checks every byte of a bundle anyway; for the values
// inside its objects it also notes on a tape what each one is and where it
// stands, so that each object's tree is then built from the tape instead of
// fastjson parsing the same bytes a second time (that parse was a fifth of
// geneva validate's CPU). The tree is made of fastjson's own values, laid
// out as fastjson.Parser makes them (strings and keys with escapes raw, to
// be unescaped on first use; true, false and null its shared values) or,
// for strings and objects' keys without escapes, as fastjson leaves them
// after their first use (marked unescaped: that use then skips looking
// for a backslash), so the checks cannot tell the difference:
// FuzzTreeFromTape compares the two trees on every input, and if a
// fastjson release changes its value layout (checked by reflection, then
// on a probe document when the package loads) the tape is not used and
// objects are parsed as before.

// tapeEntry is one value: a string or number with its text at
// data[off:off+n] (a string's without its quotes), a literal, or an object
// or array with n members (an object's members follow it as key, value,
// key, value...; keys are string entries).
type tapeEntry struct {
	off, n uint32
	kind   tapeKind
}

type tapeKind uint8

const (
	tapeString        tapeKind = iota
	tapeEscapedString          // a string with escapes, which fastjson unescapes in place
	tapeNumber
	tapeTrue
	tapeFalse
	tapeNull
	tapeObject
	tapeArray
)

// presizeTape makes room on the tape for the values of a typical bundle of
// n bytes at once (ATT&CK has one per 37 bytes): growing it by doubling
// copies it into fresh memory each time. A large tape goes outside the Go
// heap, in huge pages (it holds no pointers): else writing it costs a page
// fault per 4 KiB, for ATT&CK 300 of them.
func (s *scanner) presizeTape(n int) {
	want := n/24 + 64
	if cap(s.tape) >= want {
		return
	}
	if size := want * int(unsafe.Sizeof(tapeEntry{})); size >= 1<<20 {
		if b := hugemem.Alloc(size); b != nil {
			if s.tapeMem == nil {
				s.tapeMem = new(tapeMemory)
				runtime.AddCleanup(s, func(m *tapeMemory) { hugemem.Free(m.b) }, s.tapeMem)
			}
			hugemem.Free(s.tapeMem.b) // its tape is no longer used: a new scan begins
			s.tapeMem.b = b
			s.tape = unsafe.Slice((*tapeEntry)(unsafe.Pointer(unsafe.SliceData(b[:1]))), cap(b)/int(unsafe.Sizeof(tapeEntry{})))[:0]
			return
		}
	}
	s.tape = make([]tapeEntry, 0, want)
}

// tapeMemory is a scanner's tape memory from hugemem, freed when the
// scanner is garbage collected.
type tapeMemory struct{ b []byte }

// record appends a value to the tape when taping and returns its index
// (else -1).
func (s *scanner) record(kind tapeKind, start, end int) int {
	if !s.taping {
		return -1
	}
	if kind == tapeString && s.escaped {
		kind = tapeEscapedString
	}
	s.tape = append(s.tape, tapeEntry{off: uint32(start), n: uint32(end - start), kind: kind})
	return len(s.tape) - 1
}

// fjValue and fjObject mirror fastjson.Value and fastjson.Object, whose
// fields are unexported (checked by findTreeLayout).
type fjValue struct {
	o fjObject
	a []*fastjson.Value
	s string
	t fastjson.Type
}

type fjObject struct {
	kvs           []parsedKV
	keysUnescaped bool
}

func mirror(v *fastjson.Value) *fjValue { return (*fjValue)(unsafe.Pointer(v)) }

// treeLayout is what building trees needs from fastjson, found when the
// package loads; ok is false when its layout is not the one expected.
type treeLayout struct {
	ok                   bool
	rawString            fastjson.Type // fastjson's type of a string not yet unescaped
	vTrue, vFalse, vNull *fastjson.Value
}

var fjLayout treeLayout

func init() {
	fjLayout = findTreeLayout()
	fjLayout.ok = fjLayout.ok && probeTape()
}

func findTreeLayout() (l treeLayout) {
	if !parserFields.ok || !mirrored(reflect.TypeFor[fastjson.Value](), reflect.TypeFor[fjValue]()) ||
		!mirrored(reflect.TypeFor[fastjson.Object](), reflect.TypeFor[fjObject]()) {
		return l
	}
	var p fastjson.Parser
	str, err := p.Parse(`"a"`)
	if err != nil {
		return l
	}
	l.rawString = mirror(str).t
	lits, err := p.Parse(`[true,false,null]`)
	if err != nil {
		return l
	}
	a := lits.GetArray()
	return treeLayout{ok: true, rawString: l.rawString, vTrue: a[0], vFalse: a[1], vNull: a[2]}
}

// mirrored reports whether struct y has x's fields (names, offsets, types),
// but for fastjson's object and member types, which are the mirrors'.
func mirrored(x, y reflect.Type) bool {
	if x.Size() != y.Size() || x.NumField() != y.NumField() {
		return false
	}
	for i := range x.NumField() {
		fx, fy := x.Field(i), y.Field(i)
		same := fx.Type == fy.Type ||
			fx.Type == reflect.TypeFor[fastjson.Object]() && fy.Type == reflect.TypeFor[fjObject]() ||
			fx.Type.Kind() == reflect.Slice && fy.Type == reflect.TypeFor[[]parsedKV]() && sameLayout(fx.Type.Elem(), reflect.TypeFor[parsedKV]())
		if fx.Name != fy.Name || fx.Offset != fy.Offset || !same {
			return false
		}
	}
	return true
}

// probeTape builds a tree with every kind of value, escapes and nesting
// from the tape and reports whether it is the one fastjson parses.
func probeTape() bool {
	const probe = `{"objects":[{"a":"x\"\\y","b\u0063":[1,-2.5e3,true,false,null,{},[],""],"c":{"d":[{"e":"é"}]}}]}`
	sc, scan, e := scanJSONKeys([]byte(probe), 64, false)
	defer releaseScanner(sc)
	if e != nil || len(scan.objects) != 1 {
		return false
	}
	var p fastjson.Parser
	want, err := p.Parse(probe[scan.objects[0].start:scan.objects[0].end])
	var b treeBuilder
	if err != nil {
		return false
	}
	got := b.build([]byte(probe), scan.tape, scan.objectTapes[0])
	if string(got.MarshalTo(nil)) != string(want.MarshalTo(nil)) {
		return false
	}
	unescapeAll(got)
	unescapeAll(want)
	return sameTree(got, want)
}

// unescapeAll makes fastjson unescape every string and key of v (in place).
func unescapeAll(v *fastjson.Value) {
	switch v.Type() { // a string's Type unescapes it
	case fastjson.TypeArray:
		for _, e := range v.GetArray() {
			unescapeAll(e)
		}
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(_ []byte, e *fastjson.Value) { unescapeAll(e) }) // Visit unescapes the keys
	}
}

// sameTree reports whether x and y are the same fastjson tree, field by
// field (strings and keys as they stand, escaped or not).
func sameTree(x, y *fastjson.Value) bool {
	mx, my := mirror(x), mirror(y)
	switch {
	case x == y:
		return true
	case mx.t != my.t || mx.s != my.s || len(mx.a) != len(my.a) ||
		len(mx.o.kvs) != len(my.o.kvs) || mx.o.keysUnescaped != my.o.keysUnescaped:
		return false
	}
	for i := range mx.a {
		if !sameTree(mx.a[i], my.a[i]) {
			return false
		}
	}
	for i, kv := range mx.o.kvs {
		if kv.k != my.o.kvs[i].k || !sameTree(kv.v, my.o.kvs[i].v) {
			return false
		}
	}
	return true
}

// treeBuilder builds objects' trees from the tape into memory it reuses
// for every object (a tree lives until the next build). Strings and
// numbers point into the data, but for strings with escapes, which point
// into copies: fastjson unescapes those in place on first use (and writes
// into no other), and the data must stay as it was.
type treeBuilder struct {
	text   []byte // copies of the strings with escapes
	values arena[fastjson.Value]
	kvs    arena[parsedKV]
	elems  arena[*fastjson.Value]
}

// build is the tree of the value of data whose tape starts at tape[at].
func (b *treeBuilder) build(data []byte, tape []tapeEntry, at int) *fastjson.Value {
	b.text = b.text[:0]
	b.values.reset()
	b.kvs.reset()
	b.elems.reset()
	v, _ := b.value(data, tape, at)
	return v
}

// value builds the value at tape[i] and returns it with the index of the
// entry after it.
func (b *treeBuilder) value(data []byte, tape []tapeEntry, i int) (*fastjson.Value, int) {
	e := tape[i]
	i++
	switch e.kind {
	case tapeTrue:
		return fjLayout.vTrue, i
	case tapeFalse:
		return fjLayout.vFalse, i
	case tapeNull:
		return fjLayout.vNull, i
	}
	v := &b.values.take(1)[0]
	m := mirror(v)
	switch e.kind {
	case tapeString: // as fastjson leaves it once unescaped: nothing to unescape
		*m = fjValue{s: b.str(data, e), t: fastjson.TypeString}
	case tapeEscapedString:
		*m = fjValue{s: b.str(data, e), t: fjLayout.rawString}
	case tapeNumber:
		*m = fjValue{s: b.str(data, e), t: fastjson.TypeNumber}
	case tapeArray:
		elems := b.elems.take(int(e.n))
		for k := range elems {
			elems[k], i = b.value(data, tape, i)
		}
		*m = fjValue{a: elems, t: fastjson.TypeArray}
	case tapeObject:
		kvs := b.kvs.take(int(e.n))
		plain := true // no key has escapes
		for k := range kvs {
			plain = plain && tape[i].kind == tapeString
			kvs[k].k = b.str(data, tape[i])
			kvs[k].v, i = b.value(data, tape, i+1)
		}
		*m = fjValue{o: fjObject{kvs: kvs, keysUnescaped: plain}, t: fastjson.TypeObject}
	}
	return v, i
}

// str is the text of e: in data, or for a string with escapes in a copy
// of its own.
func (b *treeBuilder) str(data []byte, e tapeEntry) string {
	switch {
	case e.n == 0:
		return ""
	case e.kind != tapeEscapedString:
		return unsafe.String(&data[e.off], e.n)
	}
	at := len(b.text)
	b.text = append(b.text, data[e.off:e.off+e.n]...)
	return unsafe.String(&b.text[at], e.n)
}

// arena hands out slices of T from blocks it keeps and reuses after reset.
type arena[T any] struct {
	blocks [][]T
	block  int // the block being carved
	off    int // what is taken of it
}

const arenaBlock = 1024

func (a *arena[T]) reset() { a.block, a.off = 0, 0 }

// take is n fresh-or-reused elements (the caller sets every one), with no
// room to append into.
func (a *arena[T]) take(n int) []T {
	for ; a.block < len(a.blocks); a.block, a.off = a.block+1, 0 {
		if blk := a.blocks[a.block]; len(blk)-a.off >= n {
			a.off += n
			return blk[a.off-n : a.off : a.off]
		}
	}
	blk := make([]T, max(n, arenaBlock))
	a.blocks = append(a.blocks, blk)
	a.block, a.off = len(a.blocks)-1, n
	return blk[:n:n]
}
