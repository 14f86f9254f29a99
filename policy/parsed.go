package policy

import "github.com/genevahub/geneva/schemas"

// Parsed is a document as an engine's validator read it: the parse and
// the schema report Decide would otherwise compute again.
type Parsed struct {
	e      *Engine
	bundle []byte
	doc    *schemas.Document
	rep    schemas.Report
}

// Parse reads bundle as Decide would. Document is nil when it could not
// be parsed; a Request carrying the result for the same bytes and engine
// is decided without parsing again.
func (e *Engine) Parse(bundle []byte) *Parsed {
	p := &Parsed{e: e, bundle: bundle}
	if e != nil && e.validator != nil {
		p.doc, p.rep = e.validator.Validate(bundle)
	}
	return p
}

// Document is the parsed document (nil when it could not be parsed). Its
// values are valid until the decision made from it is released.
func (p *Parsed) Document() *schemas.Document {
	if p == nil {
		return nil
	}
	return p.doc
}

// of is p's parse when it is of bundle by e, else a fresh one.
func (p *Parsed) of(e *Engine, bundle []byte) (*schemas.Document, schemas.Report) {
	if p != nil && p.e == e && sameBytes(p.bundle, bundle) {
		return p.doc, p.rep
	}
	return e.validator.Validate(bundle)
}

// sameBytes says whether a and b are the same slice (not merely equal).
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
