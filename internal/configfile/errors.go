// Package configfile is the one way Geneva reads a configuration file (the
// MoU, the hub's, a worker node's, an archive bridge's and a connector's):
// a bounded read of a regular file, a strict YAML parse that an attacker
// cannot inflate (one document, no anchors, aliases or merge keys, no
// duplicate keys, valid UTF-8), and a decoder that fills a struct by its
// yaml tags, reporting every problem at once as "file:line: field: problem".
package configfile

import (
	"fmt"
	"strings"
)

// MaxErrors bounds how many problems one file reports: a hostile file
// cannot turn into megabytes of messages.
const MaxErrors = 50

// Error is one problem in a configuration file. It prints as
// "mou.yaml:12: members[1].jurisdiction: ..." (file and line when known).
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, one per line. errors.As finds
// each *Error through Unwrap.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the single problems.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// add appends a problem unless MaxErrors are already there; the first
// one over the bound says that more were left out.
func (es *Errors) add(e *Error) {
	switch {
	case len(*es) < MaxErrors:
		*es = append(*es, e)
	case len(*es) == MaxErrors:
		*es = append(*es, &Error{File: e.File, Msg: fmt.Sprintf("more problems not shown (the first %d are above)", MaxErrors)})
	}
}
