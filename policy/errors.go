package policy

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoMoU is returned by NewEngine for a nil or empty MoU.
var ErrNoMoU = errors.New("no MoU: an empty policy shares nothing")

// ConfigError is one problem in an MoU file. It prints as
// "mou.yaml:12: members[1].jurisdiction: ..." (line and file when known).
type ConfigError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
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

// ConfigErrors is every problem found in one MoU, reported at once, one
// per line. errors.As finds each *ConfigError through Unwrap.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the single problems.
func (es ConfigErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
