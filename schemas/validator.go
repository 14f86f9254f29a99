package schemas

import (
	"fmt"

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
	// Workers > 1 checks a large bundle's objects on up to that many
	// goroutines (geneva validate uses every core; the hub, which decides
	// several submissions at once, leaves it at one).
	Workers int
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
	lim := v.opts.Limits
	envelope := func(rule, msg string) (*Document, Report) {
		return nil, Report{Errors: []Finding{{Object: -1, Rule: rule, Message: msg}}}
	}
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return envelope(RuleLimitSize, fmt.Sprintf("document: %d bytes is more than the limit of %d", len(data), lim.MaxBytes))
	}
	depth := lim.MaxDepth
	if depth <= 0 {
		depth = DefaultLimits().MaxDepth
	}
	if depth >= fastjson.MaxDepth { // fastjson refuses deeper input itself
		depth = fastjson.MaxDepth - 1
	}
	sc, scan, e := scanJSONKeys(data, depth)
	defer releaseScanner(sc)
	if e != nil {
		line, col := lineCol(data, e.off)
		if e.depth {
			return envelope(RuleLimitDepth, fmt.Sprintf("line %d, column %d: %s", line, col, e.msg))
		}
		return envelope(RuleJSONSyntax, fmt.Sprintf("line %d, column %d: %s", line, col, e.msg))
	}
	mem := docMemories.Get().(*docMemory)
	presizeParser(&mem.parser, len(data), &scan)
	root, err := mem.parser.ParseBytes(data)
	if err != nil { // the scan accepts only what fastjson parses; keep a clear error anyway
		docMemories.Put(mem)
		return envelope(RuleJSONSyntax, "line 1, column 1: "+err.Error())
	}
	d := &Document{Raw: data, Root: root, mem: mem, noDuplicateKeys: !scan.dupSuspect}
	if string(root.GetStringBytes("type")) == "bundle" {
		d.Bundle = true
		if objs := root.Get("objects"); objs != nil && objs.Type() == fastjson.TypeArray {
			d.Objects, _ = objs.Array()
			if scan.objectsOK {
				d.setSpans(scan.objects)
			}
		}
		if n := len(d.Objects); lim.MaxObjects > 0 && n > lim.MaxObjects {
			d.Release()
			return envelope(RuleLimitObjects, fmt.Sprintf("objects: %d objects is more than the limit of %d", n, lim.MaxObjects))
		}
	} else if root.Type() == fastjson.TypeObject {
		d.Objects = []*fastjson.Value{root}
		d.setSpans([]span{scan.root})
	}
	return d, v.ValidateDocument(d)
}

// ValidateDocument checks an already parsed document.
func (v *Validator) ValidateDocument(d *Document) Report {
	var rep Report
	if d == nil || d.Root == nil {
		rep.Errors = append(rep.Errors, Finding{Object: -1, Rule: RuleDocumentRoot, Message: "document: nothing to validate (no parsed document)"})
		return rep
	}
	c := newChecker(v, d, &rep)
	defer c.recycle()
	if !d.noDuplicateKeys {
		c.checkDuplicates(d.Root)
	}
	switch {
	case d.Root.Type() != fastjson.TypeObject:
		c.fail(RuleDocumentRoot, fmt.Sprintf("is %s, not a STIX bundle or object", typeName(d.Root)))
		return rep
	case d.Bundle:
		c.checkBundle(d)
	default:
		c.checkObject(0, d.Root)
		c.runExtra(0, d.Root)
	}
	return rep
}

func (c *checker) runExtra(i int, obj *fastjson.Value) {
	if c.v.opts.Extra == nil {
		return
	}
	for _, f := range c.v.opts.Extra.CheckObject(obj, c.d.ObjectPointer(i)) {
		f.Object = i
		if f.Severity == SeverityError {
			c.rep.Errors = append(c.rep.Errors, f)
		} else {
			c.rep.Warnings = append(c.rep.Warnings, f)
		}
	}
}
