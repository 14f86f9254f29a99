package schemas

import (
	"math"

	"github.com/valyala/fastjson"
)

// Check validates data as Validate does and returns the same report (same
// findings, same order) but keeps no parsed document. A bundle's envelope
// and then each of its objects are parsed on their own (each object's tree
// built from the pre-scan's tape: tape.go), so the parser's memory follows
// the largest object instead of the whole document (a
// 4 MB bundle parses into about 25 MB of values, which a fresh process
// pays for in page faults and the garbage collector in scanning) and stays
// in the CPU's caches; objects are checked on up to Options.Workers
// goroutines. geneva validate uses it: it needs the verdict, not the tree.
func (v *Validator) Check(data []byte) Report {
	sc, scan, rep, ok := v.scan(data, false)
	if !ok {
		return rep
	}
	defer releaseScanner(sc)
	// Duplicate keys are reported for the whole tree before anything else,
	// and a repeated "objects" leaves the spans unknown: such documents,
	// and those that are not bundles with objects, take the whole-tree path.
	if scan.dupSuspect || !scan.objectsOK || len(scan.objects) == 0 {
		return v.checkWhole(data, &scan)
	}
	mem := docMemories.Get().(*docMemory)
	root, err := mem.parser.ParseBytes(envelopeOf(mem, data, &scan))
	if err != nil || string(root.GetStringBytes("type")) != "bundle" {
		docMemories.Put(mem)
		return v.checkWhole(data, &scan)
	}
	if rep, ok := v.objectsWithinLimit(len(scan.objects)); !ok {
		docMemories.Put(mem)
		return rep
	}
	d := &Document{Bundle: true}
	c := newChecker(v, d, &rep)
	c.checkEnvelope(root, len(scan.objects))
	c.recycle()
	docMemories.Put(mem)
	spans := scan.objects
	// The tape's offsets are 32-bit.
	fromTape := fjLayout.ok && len(data) <= math.MaxUint32
	inChunks(v.opts.Workers, len(spans), &rep, func(lo, hi int, rep *Report) {
		mem := docMemories.Get().(*docMemory)
		defer docMemories.Put(mem)
		ck := newChecker(v, d, rep)
		defer ck.recycle()
		ck.checkObjects(lo, hi, func(i int) (*fastjson.Value, error) {
			if fromTape {
				return mem.trees.build(data, scan.tape, scan.objectTapes[i]), nil
			}
			return mem.parser.ParseBytes(data[spans[i].start:spans[i].end])
		})
	})
	return rep
}

// checkWhole is Check by way of Validate's document.
func (v *Validator) checkWhole(data []byte, scan *scanResult) Report {
	d, rep, ok := v.parse(data, scan)
	if !ok {
		return rep
	}
	rep = v.ValidateDocument(d)
	d.Release()
	return rep
}

// envelopeOf is the scanned bundle with an empty objects list, written into
// mem's envelope buffer.
func envelopeOf(mem *docMemory, data []byte, scan *scanResult) []byte {
	root, list := scan.root, scan.objectsList
	b := append(mem.envelope[:0], data[root.start:list.start]...)
	b = append(b, "[]"...)
	b = append(b, data[list.end:root.end]...)
	mem.envelope = b
	return b
}
