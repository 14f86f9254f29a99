package pattern

// Pattern is a parsed STIX pattern: one observation expression.
type Pattern struct {
	Expr ObservationExpression
}

// ObservationExpression is one of *Observation, *Group, *ObservationOp or
// *Qualified.
type ObservationExpression interface {
	Offset() int
	observation()
}

// Observation is a bracketed comparison expression: [file:name = 'a'].
type Observation struct {
	Pos  int
	Expr ComparisonExpression
}

// Group is a parenthesised observation expression. Parentheses are kept in
// the tree because qualifiers bind to the group, and because STIX forbids
// repeating a qualifier kind only on a bare [...] (not on a group).
type Group struct {
	Pos  int
	Expr ObservationExpression
}

// ObservationOperator joins observation expressions.
type ObservationOperator uint8

// The observation operators.
const (
	ObsAnd ObservationOperator = iota + 1
	ObsOr
	ObsFollowedBy
)

// String returns the keyword: AND, OR or FOLLOWEDBY.
func (o ObservationOperator) String() string {
	switch o {
	case ObsAnd:
		return "AND"
	case ObsOr:
		return "OR"
	case ObsFollowedBy:
		return "FOLLOWEDBY"
	}
	return "?"
}

// ObservationOp is a chain of two or more operands joined by one operator
// (a AND b AND c). A nested chain of the same operator was parenthesised in
// the source and stays a separate node.
type ObservationOp struct {
	Pos      int
	Op       ObservationOperator
	Operands []ObservationExpression
}

// Qualified is an *Observation or *Group followed by one or more
// qualifiers, in source order.
type Qualified struct {
	Pos        int
	Expr       ObservationExpression
	Qualifiers []Qualifier
}

// Offset is the byte offset of the node's first token.
func (o *Observation) Offset() int { return o.Pos }

// Offset is the byte offset of the node's first token.
func (g *Group) Offset() int { return g.Pos }

// Offset is the byte offset of the node's first token.
func (o *ObservationOp) Offset() int { return o.Pos }

// Offset is the byte offset of the node's first token.
func (q *Qualified) Offset() int { return q.Pos }

func (*Observation) observation()   {}
func (*Group) observation()         {}
func (*ObservationOp) observation() {}
func (*Qualified) observation()     {}

// QualifierKind names a qualifier.
type QualifierKind uint8

// The qualifier kinds.
const (
	Within    QualifierKind = iota + 1 // WITHIN n SECONDS
	Repeats                            // REPEATS n TIMES
	StartStop                          // START t'..' STOP t'..'
)

// String names the qualifier as written: WITHIN, REPEATS or START/STOP.
func (k QualifierKind) String() string {
	switch k {
	case Within:
		return "WITHIN"
	case Repeats:
		return "REPEATS"
	case StartStop:
		return "START/STOP"
	}
	return "?"
}

// Qualifier restricts the observations that match an expression. Within
// uses Seconds (an integer or a decimal in the source, always > 0); Repeats
// uses Times (> 0); StartStop uses Start and Stop (Start before Stop).
type Qualifier struct {
	Pos     int
	Kind    QualifierKind
	Seconds Literal // Within: an IntLiteral or FloatLiteral
	Times   int64
	Start   Literal // StartStop: TimestampLiteral
	Stop    Literal
}

// ComparisonExpression is one of *Comparison or *ComparisonOp.
type ComparisonExpression interface {
	Offset() int
	comparison()
}

// BoolOperator joins comparison expressions.
type BoolOperator uint8

// The boolean operators of comparison expressions.
const (
	And BoolOperator = iota + 1
	Or
)

// String returns the keyword: AND or OR.
func (o BoolOperator) String() string {
	if o == And {
		return "AND"
	}
	if o == Or {
		return "OR"
	}
	return "?"
}

// ComparisonOp is a chain of two or more comparison expressions joined by
// one operator. Redundant parentheses are dropped; a nested operator node
// was parenthesised in the source.
type ComparisonOp struct {
	Pos      int
	Op       BoolOperator
	Operands []ComparisonExpression
}

// Operator is a comparison operator.
type Operator uint8

// The comparison operators; == parses as Equal and <> as NotEqual.
const (
	Equal Operator = iota + 1
	NotEqual
	Greater
	Less
	GreaterEqual
	LessEqual
	In
	Like
	Matches
	IsSubset
	IsSuperset
	Exists // EXISTS path: the path is present; Value is unset
)

var operatorNames = [...]string{"?", "=", "!=", ">", "<", ">=", "<=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"}

// String returns the operator as written in a pattern.
func (o Operator) String() string {
	if int(o) < len(operatorNames) {
		return operatorNames[o]
	}
	return "?"
}

// Comparison tests one object path against a literal
// (file:name NOT LIKE 'a%'), or tests that the path exists
// (NOT EXISTS file:name, with Op Exists and no Value).
type Comparison struct {
	Pos     int
	Path    ObjectPath
	Negated bool
	Op      Operator
	Value   Literal
}

// Offset is the byte offset of the comparison's first token.
func (c *Comparison) Offset() int { return c.Pos }

// Offset is the byte offset of the node's first token.
func (c *ComparisonOp) Offset() int { return c.Pos }
func (*Comparison) comparison()     {}
func (*ComparisonOp) comparison()   {}

// ObjectPath is type:property followed by more steps, e.g.
// file:extensions.'windows-pebinary-ext'.sections[*].entropy has
// ObjectType "file" and the steps extensions, windows-pebinary-ext,
// sections, [*], entropy. Steps[0] is always a property.
type ObjectPath struct {
	Pos        int
	ObjectType string
	Steps      []Step
}

// StepKind tells what a Step selects.
type StepKind uint8

// The kinds of path step.
const (
	Property StepKind = iota + 1 // a property or dictionary key: Name
	Index                        // a list index: Index (may be negative)
	AnyIndex                     // [*]
)

// Step is one component of an object path.
type Step struct {
	Kind  StepKind
	Name  string
	Index int64
}
