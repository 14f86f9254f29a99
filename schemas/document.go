// Package schemas is Geneva's STIX 2.1 validator, written from the STIX 2.1
// specification (OASIS Standard, 2021). It parses a document once and checks
// every object, returning findings with JSON pointers.
package schemas

import (
	"strconv"
	"sync"

	"github.com/valyala/fastjson"
)

// Limits bound what one document may cost to parse and check, so hostile
// input can neither exhaust memory nor run away.
type Limits struct {
	MaxBytes   int // size of the whole document
	MaxDepth   int // JSON nesting depth
	MaxObjects int // objects in a bundle
}

// DefaultLimits fit the largest real bundles we know (MITRE ATT&CK, ~4 MB,
// ~10k objects) with room to spare.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 32 << 20, MaxDepth: 64, MaxObjects: 100_000}
}

// Document is a parsed STIX document: a bundle or a single object.
// Values point into memory owned by the Document and are not safe for
// concurrent use.
type Document struct {
	Raw     []byte
	Root    *fastjson.Value
	Bundle  bool              // Root is a bundle ("type": "bundle")
	Objects []*fastjson.Value // the bundle's objects, or Root itself

	mem *docMemory // owns Root's memory; back to the pool on Release
	// spans are where each of Objects stands in Raw: in inline for small
	// documents (no allocation), else in mem's list (reused after Release).
	spans  []span
	inline [4]span
	// noDuplicateKeys: the pre-scan proved every object's keys distinct.
	noDuplicateKeys bool
}

// docMemory is what a Document owns: a fastjson parser (a fresh one
// allocates its value cache anew for every document, which costs more than
// the checks) and room for the objects' spans.
type docMemory struct {
	parser   fastjson.Parser
	spans    []span
	envelope []byte      // Check's bundle without its objects
	trees    treeBuilder // Check's objects, built from the tape
}

// docMemories recycles Documents' memory.
var docMemories = sync.Pool{New: func() any { return new(docMemory) }}

// Release hands the document's memory back for reuse. Root, Objects and
// every value taken from them must not be used afterwards. Calling it is
// optional (an unreleased Document is simply garbage collected) and a
// second call does nothing.
func (d *Document) Release() {
	if d == nil || d.mem == nil {
		return
	}
	m := d.mem
	d.mem, d.Root, d.Objects, d.spans = nil, nil, nil, nil
	if cap(m.spans) <= 1<<16 {
		docMemories.Put(m)
	}
}

// setSpans keeps a copy of the objects' spans.
func (d *Document) setSpans(ss []span) {
	switch {
	case len(ss) <= len(d.inline) && cap(d.mem.spans) < len(ss):
		d.spans = append(d.inline[:0], ss...)
	default:
		d.mem.spans = append(d.mem.spans[:0], ss...)
		d.spans = d.mem.spans
	}
}

// ObjectBytes is Objects[i] exactly as it stands in Raw, byte for byte
// (escapes and whitespace inside it included), or nil for a document not
// made by Validate.
func (d *Document) ObjectBytes(i int) []byte {
	if i < 0 || i >= len(d.spans) || len(d.spans) != len(d.Objects) {
		return nil
	}
	s := d.spans[i]
	return d.Raw[s.start:s.end:s.end]
}

// ObjectPointer is the JSON pointer of Objects[i] ("/objects/3", or "" for
// a document that is a single object).
func (d *Document) ObjectPointer(i int) string {
	if !d.Bundle {
		return ""
	}
	if i >= 0 && i < len(objectPointers) {
		return objectPointers[i]
	}
	return "/objects/" + strconv.Itoa(i)
}

// objectPointers are the pointers of the first objects, made once: every
// decision names its objects' pointers several times.
var objectPointers = func() (ps [64]string) {
	for i := range ps {
		ps[i] = "/objects/" + strconv.Itoa(i)
	}
	return ps
}()
