package oasis

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/genevahub/geneva/schemas"
)

var printer = message.NewPrinter(language.English)

// findings turns a jsonschema error tree into flat findings: one per failed
// keyword, seen through the keywords that only group others ($ref, allOf).
// An anyOf/oneOf that nothing matched is one finding, which names the
// closest branch's first problem instead of every branch's.
func findings(err error, prefix string, object int) []schemas.Finding {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []schemas.Finding{{Object: object, Pointer: prefix, Rule: RuleSchema, Message: oneLine(err.Error())}}
	}
	var out []schemas.Finding
	for _, leaf := range sortedLeaves(ve) {
		out = append(out, schemas.Finding{
			Object:  object,
			Pointer: prefix + pointer(leaf.InstanceLocation),
			Rule:    RuleSchema,
			Message: describe(leaf),
		})
	}
	return out
}

// sortedLeaves are leaves in a fixed order. The schema library walks
// properties in map order, so the same input would otherwise list its
// problems (and name its closest branch) differently each time.
func sortedLeaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	ls := leaves(e)
	slices.SortStableFunc(ls, func(a, b *jsonschema.ValidationError) int {
		return cmp.Or(slices.Compare(a.InstanceLocation, b.InstanceLocation), cmp.Compare(describe(a), describe(b)))
	})
	return ls
}

// leaves are the errors worth showing.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	switch e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		if len(e.Causes) == 0 {
			return []*jsonschema.ValidationError{e}
		}
		var out []*jsonschema.ValidationError
		for _, c := range e.Causes {
			out = append(out, leaves(c)...)
		}
		return out
	default:
		return []*jsonschema.ValidationError{e}
	}
}

func describe(e *jsonschema.ValidationError) string {
	var msg string
	switch k := e.ErrorKind.(type) {
	// The printer writes large numbers as 9.999999×10⁰⁶; say them plainly.
	case *kind.Minimum:
		msg = fmt.Sprintf("minimum: got %s, want %s", k.Got.RatString(), k.Want.RatString())
	case *kind.Maximum:
		msg = fmt.Sprintf("maximum: got %s, want %s", k.Got.RatString(), k.Want.RatString())
	case *kind.ExclusiveMinimum:
		msg = fmt.Sprintf("exclusiveMinimum: got %s, want above %s", k.Got.RatString(), k.Want.RatString())
	case *kind.ExclusiveMaximum:
		msg = fmt.Sprintf("exclusiveMaximum: got %s, want below %s", k.Got.RatString(), k.Want.RatString())
	case *kind.AdditionalProperties:
		// Found by walking a map: name them in a fixed order.
		msg = (&kind.AdditionalProperties{Properties: slices.Sorted(slices.Values(k.Properties))}).LocalizedString(printer)
	case *kind.Not:
		msg = "'not' failed: the value has a form the schema forbids here"
	default:
		msg = k.LocalizedString(printer)
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		if best := closest(e.Causes); best != nil {
			msg += "; closest match fails at " + quotePointer(pointer(best.InstanceLocation)) + ": " + describe(best)
		}
	}
	return oneLine(msg)
}

// closest picks, among the failed branches of an anyOf/oneOf, the first
// problem of the branch that got deepest into the instance (the branch most
// likely meant), preferring the branch with fewer problems on a tie.
func closest(branches []*jsonschema.ValidationError) *jsonschema.ValidationError {
	var best []*jsonschema.ValidationError
	bestDepth := -1
	for _, b := range branches {
		ls := sortedLeaves(b)
		depth := 0
		for _, l := range ls {
			depth = max(depth, len(l.InstanceLocation))
		}
		if depth > bestDepth || (depth == bestDepth && len(ls) < len(best)) {
			best, bestDepth = ls, depth
		}
	}
	if len(best) == 0 {
		return nil
	}
	return best[0]
}

// pointer renders an instance location as an RFC 6901 JSON pointer.
func pointer(tokens []string) string {
	var sb strings.Builder
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return sb.String()
}

func quotePointer(p string) string {
	if p == "" {
		return "the object"
	}
	return p
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
