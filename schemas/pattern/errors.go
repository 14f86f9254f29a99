package pattern

import "fmt"

// SyntaxError is a pattern that breaks the grammar or one of the semantic
// rules listed in the package documentation. Offset is the byte offset of
// the offending token in the pattern string.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error prints "offset N: message".
func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// MaxDepth is how deeply brackets and parentheses may nest. Deeper input is
// rejected rather than risking the stack on hostile patterns.
const MaxDepth = 64
