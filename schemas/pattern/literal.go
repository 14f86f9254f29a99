package pattern

import "time"

// LiteralKind is the type of a Literal.
type LiteralKind uint8

// The literal kinds.
const (
	StringLiteral    LiteralKind = iota + 1 // 'text' (Str holds the unescaped text)
	IntLiteral                              // 12, -3 (Int)
	FloatLiteral                            // 7.0, -.5 (Float)
	BoolLiteral                             // true, false (Bool)
	BinaryLiteral                           // b'base64' (Bytes holds the decoded bytes)
	HexLiteral                              // h'0aff' (Bytes)
	TimestampLiteral                        // t'2016-01-01T00:00:00Z' (Time, in UTC)
	SetLiteral                              // ('a', 'b') for IN (Set)
)

var literalKindNames = [...]string{"?", "string", "integer", "float", "boolean", "binary", "hex", "timestamp", "set"}

// String names the kind in lower case: string, integer, float, ...
func (k LiteralKind) String() string {
	if int(k) < len(literalKindNames) {
		return literalKindNames[k]
	}
	return "?"
}

// Literal is a constant on the right of a comparison. Only the field that
// matches Kind is set.
type Literal struct {
	Kind  LiteralKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	Bytes []byte
	Time  time.Time
	Set   []Literal
}
