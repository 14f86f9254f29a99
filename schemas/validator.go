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
	sc, scan, rep, ok := v.scan(data, true)
	if !ok {
		return nil, rep
	}
	defer releaseScanner(sc)
	d, rep, ok := v.parse(data, &scan)
	if !ok {
		return nil, rep
	}
	return d, v.ValidateDocument(d)
}

// refusal is the report on a document that could not be parsed.
func refusal(rule, msg string) Report {
	return Report{Errors: []Finding{{Object: -1, Rule: rule, Message: msg}}}
}

// scan applies the size and depth limits and pre-scans data (noting the
// containers' sizes for presizeParser when sizes is set); when it refuses
// the document, rep says why. Release sc once scan is unused.
func (v *Validator) scan(data []byte, sizes bool) (sc *scanner, scan scanResult, rep Report, ok bool) {
	lim := v.opts.Limits
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, scan, refusal(RuleLimitSize, fmt.Sprintf("document: %d bytes is more than the limit of %d", len(data), lim.MaxBytes)), false
	}
	depth := lim.MaxDepth
	if depth <= 0 {
		depth = DefaultLimits().MaxDepth
	}
	if depth >= fastjson.MaxDepth { // fastjson refuses deeper input itself
		depth = fastjson.MaxDepth - 1
	}
	sc, scan, e := scanJSONKeys(data, depth, sizes)
	if e != nil {
		releaseScanner(sc)
		line, col := lineCol(data, e.off)
		rule := RuleJSONSyntax
		if e.depth {
			rule = RuleLimitDepth
		}
		return nil, scanResult{}, refusal(rule, fmt.Sprintf("line %d, column %d: %s", line, col, e.msg)), false
	}
	return sc, scan, Report{}, true
}

// parse parses the scanned data into a Document.
func (v *Validator) parse(data []byte, scan *scanResult) (*Document, Report, bool) {
	mem := docMemories.Get().(*docMemory)
	presizeParser(&mem.parser, len(data), scan)
	root, err := mem.parser.ParseBytes(data)
	if err != nil { // the scan accepts only what fastjson parses; keep a clear error anyway
		docMemories.Put(mem)
		return nil, refusal(RuleJSONSyntax, "line 1, column 1: "+err.Error()), false
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
		if rep, ok := v.objectsWithinLimit(len(d.Objects)); !ok {
			d.Release()
			return nil, rep, false
		}
	} else if root.Type() == fastjson.TypeObject {
		d.Objects = []*fastjson.Value{root}
		d.setSpans([]span{scan.root})
	}
	return d, Report{}, true
}

func (v *Validator) objectsWithinLimit(n int) (Report, bool) {
	if max := v.opts.Limits.MaxObjects; max > 0 && n > max {
		return refusal(RuleLimitObjects, fmt.Sprintf("objects: %d objects is more than the limit of %d", n, max)), false
	}
	return Report{}, true
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
