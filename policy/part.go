package policy

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
)

// ErrNoDocument is returned by Part for a decision that has no parsed
// submission (the submission was unparseable, or the Decision was decoded
// or built by hand).
var ErrNoDocument = errors.New("the decision holds no parsed submission")

// bundleNamespace is the UUIDv5 namespace of route bundle ids.
var bundleNamespace = [16]byte{0x8f, 0x4c, 0x2b, 0x1e, 0x6a, 0x35, 0x4e, 0x0b, 0x9d, 0x7e, 0x51, 0x0c, 0x3a, 0x62, 0x91, 0xd4}

// Part is the STIX bundle that carries route r: its objects, in submission
// order, each exactly as the sender wrote it (the bytes of the submission,
// never re-encoded), in a new envelope whose bundle id derives from the
// submission digest and the route, so a redelivered submission gives the
// same bytes. Part reads the parsed document and the request's Bundle
// (which must not change until the parts are built); the document is not
// safe for concurrent use: call it from one goroutine at a time per
// Decision.
func (d Decision) Part(r Route) ([]byte, error) {
	if d.doc == nil {
		return nil, ErrNoDocument
	}
	if !slices.ContainsFunc(d.Routes, func(x Route) bool { return x.Scope == r.Scope && x.TLP == r.TLP }) {
		return nil, fmt.Errorf("route %s %s is not one of the decision's routes", r.TLP, r.Scope)
	}
	size := 128 + len(r.Objects)
	for _, i := range r.Objects {
		size += len(d.doc.ObjectBytes(i))
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"type":"bundle","id":"bundle--`...)
	buf = append(buf, uuid5(bundleNamespace, d.Digest+"|"+r.TLP.String()+"|"+r.Scope)...)
	buf = append(buf, `","objects":[`...)
	for k, i := range r.Objects {
		if i < 0 || i >= len(d.doc.Objects) {
			return nil, fmt.Errorf("route %s %s: object index %d out of range", r.TLP, r.Scope, i)
		}
		if k > 0 {
			buf = append(buf, ',')
		}
		obj := d.doc.ObjectBytes(i)
		if obj == nil {
			return nil, fmt.Errorf("route %s %s: object %d has no source bytes", r.TLP, r.Scope, i)
		}
		buf = append(buf, obj...)
	}
	buf = append(buf, "]}"...)
	return buf, nil
}

// Release hands the parsed submission's memory back to the validator for
// the next Decide, which then parses without allocating. Call it once the
// decision's parts are built (Part fails with ErrNoDocument afterwards); the
// decision's other fields stay valid, they never point into the document.
// Copies of d share its document: release only the last one in use.
// Calling it is optional.
func (d *Decision) Release() {
	if d.doc != nil {
		d.doc.Release()
		d.doc = nil
	}
}

// uuid5 is an RFC 9562 name-based (SHA-1) UUID.
func uuid5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var sum [sha1.Size]byte
	u := h.Sum(sum[:0])
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:16])
	return string(b[:])
}
