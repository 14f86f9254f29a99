package schemas

import (
	"github.com/valyala/fastjson"
)

// ObjectChecker is an extra, optional check run on every object after ours,
// such as the official OASIS JSON schemas (package schemas/oasis).
type ObjectChecker interface {
	CheckObject(obj *fastjson.Value, pointer string) []Finding
}

// Options configure a Validator.
type Options struct {
	Limits Limits        // zero value: DefaultLimits()
	Extra  ObjectChecker // may be nil
}

// Validator checks STIX 2.1 documents. It is safe for concurrent use.
type Validator struct {
	opts Options
}

// NewValidator returns a Validator with opts.
func NewValidator(opts Options) *Validator {
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits()
	}
	return &Validator{opts: opts}
}

// Validate parses and checks data. Problems that stop parsing (malformed
// JSON, a limit exceeded) are errors in the report, and the Document is nil.
func (v *Validator) Validate(data []byte) (*Document, Report) {
	// TODO(schemas): stub so dependants compile; the real checks replace it.
	var p fastjson.Parser
	root, err := p.ParseBytes(data)
	if err != nil {
		return nil, Report{Errors: []Finding{{Object: -1, Rule: "json.syntax", Message: err.Error()}}}
	}
	d := &Document{Raw: data, Root: root}
	if string(root.GetStringBytes("type")) == "bundle" {
		d.Bundle = true
		d.Objects = root.GetArray("objects")
	} else {
		d.Objects = []*fastjson.Value{root}
	}
	return d, v.ValidateDocument(d)
}

// ValidateDocument checks an already parsed document.
func (v *Validator) ValidateDocument(d *Document) Report {
	return Report{}
}
