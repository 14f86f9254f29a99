package pattern

import (
	"fmt"
	"strings"
)

// Parse parses a STIX 2.1 pattern and applies the semantic checks listed
// in the package documentation. Every failure is a *SyntaxError.
func Parse(s string) (*Pattern, error) {
	p := parser{lex: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, &SyntaxError{0, "empty pattern"}
	}
	expr, err := p.observationLevel(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("an observation operator (AND, OR, FOLLOWEDBY) or a qualifier")
	}
	return &Pattern{Expr: expr}, nil
}

// parser is a recursive-descent parser with one token of lookahead.
type parser struct {
	lex   lexer
	tok   token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isKeyword(kw string) bool { return p.tok.kind == tKeyword && p.tok.text == kw }

// expect consumes a token of the given kind or fails with "expected <what>".
func (p *parser) expect(kind tokenKind, what string) error {
	if p.tok.kind != kind {
		return p.unexpected(what)
	}
	return p.advance()
}

// unexpected reports the current token where something else was wanted.
func (p *parser) unexpected(want string) error {
	return &SyntaxError{p.tok.pos, fmt.Sprintf("expected %s, found %s", want, describe(p.tok))}
}

func describe(t token) string {
	if t.kind == tEOF {
		return "end of pattern"
	}
	text := t.text
	if len(text) > 24 {
		text = text[:24] + "..."
	}
	return fmt.Sprintf("%q", text)
}

// enter counts one level of bracket or parenthesis nesting.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return &SyntaxError{p.tok.pos, fmt.Sprintf("nesting deeper than %d levels", MaxDepth)}
	}
	return nil
}

// Observation operators from loosest to tightest binding.
var observationLevels = [...]struct {
	keyword string
	op      ObservationOperator
}{{"FOLLOWEDBY", ObsFollowedBy}, {"OR", ObsOr}, {"AND", ObsAnd}}

func (p *parser) observationLevel(level int) (ObservationExpression, error) {
	if level == len(observationLevels) {
		return p.observationUnit()
	}
	first, err := p.observationLevel(level + 1)
	if err != nil || !p.isKeyword(observationLevels[level].keyword) {
		return first, err
	}
	node := &ObservationOp{Pos: first.Offset(), Op: observationLevels[level].op, Operands: append(make([]ObservationExpression, 0, 2), first)}
	for p.isKeyword(observationLevels[level].keyword) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := p.observationLevel(level + 1)
		if err != nil {
			return nil, err
		}
		node.Operands = append(node.Operands, next)
	}
	return node, nil
}

// observationUnit parses [comparison] or (observations), then qualifiers.
func (p *parser) observationUnit() (ObservationExpression, error) {
	pos := p.tok.pos
	var expr ObservationExpression
	switch p.tok.kind {
	case tLBrack:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		c, err := p.comparisonLevel(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRBrack, "']' after comparison expression"); err != nil {
			return nil, err
		}
		expr = &Observation{Pos: pos, Expr: c}
	case tLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.observationLevel(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, "')' after observation expression"); err != nil {
			return nil, err
		}
		expr = &Group{Pos: pos, Expr: inner}
	default:
		return nil, p.unexpected("'[' or '(' to start an observation expression")
	}
	p.depth--
	var quals []Qualifier
	for p.isKeyword("WITHIN") || p.isKeyword("REPEATS") || p.isKeyword("START") {
		q, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		// Like the OASIS validator, a repeated kind is an error only when
		// applied directly to [...]; a group may be qualified again.
		if _, bare := expr.(*Observation); bare {
			for _, prev := range quals {
				if prev.Kind == q.Kind {
					return nil, &SyntaxError{q.Pos, fmt.Sprintf("duplicate %s qualifier on one observation expression", q.Kind)}
				}
			}
		}
		quals = append(quals, q)
	}
	if quals != nil {
		return &Qualified{Pos: pos, Expr: expr, Qualifiers: quals}, nil
	}
	return expr, nil
}

// Comparison operators from loosest to tightest binding.
var comparisonLevels = [...]struct {
	keyword string
	op      BoolOperator
}{{"OR", Or}, {"AND", And}}

func (p *parser) comparisonLevel(level int) (ComparisonExpression, error) {
	if level == len(comparisonLevels) {
		return p.propTest()
	}
	first, err := p.comparisonLevel(level + 1)
	if err != nil || !p.isKeyword(comparisonLevels[level].keyword) {
		return first, err
	}
	node := &ComparisonOp{Pos: first.Offset(), Op: comparisonLevels[level].op, Operands: append(make([]ComparisonExpression, 0, 2), first)}
	for p.isKeyword(comparisonLevels[level].keyword) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := p.comparisonLevel(level + 1)
		if err != nil {
			return nil, err
		}
		node.Operands = append(node.Operands, next)
	}
	return node, nil
}

// propTest parses (comparisons) or path [NOT] op literal.
func (p *parser) propTest() (ComparisonExpression, error) {
	if p.tok.kind == tLParen {
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.comparisonLevel(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, "')' after comparison expression"); err != nil {
			return nil, err
		}
		p.depth--
		return inner, nil
	}
	if p.isKeyword("NOT") || p.isKeyword("EXISTS") {
		return p.existsTest()
	}
	c := &Comparison{Pos: p.tok.pos}
	if err := p.objectPath(&c.Path); err != nil {
		return nil, err
	}
	if p.isKeyword("NOT") {
		c.Negated = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	c.Op = operatorOf(p.tok)
	if c.Op == 0 {
		return nil, p.unexpected("a comparison operator")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	valuePos := p.tok.pos
	var err error
	switch c.Op {
	case In:
		c.Value, err = p.setLiteral()
	case Like, Matches, IsSubset, IsSuperset:
		if p.tok.kind != tString {
			return nil, p.unexpected(c.Op.String() + " to be followed by a string literal")
		}
		c.Value, err = p.literal()
	case Equal, NotEqual:
		c.Value, err = p.literal()
	default:
		if p.tok.kind == tBool {
			return nil, &SyntaxError{p.tok.pos, fmt.Sprintf("%s cannot compare a boolean", c.Op)}
		}
		c.Value, err = p.literal()
	}
	if err != nil {
		return nil, err
	}
	if err := checkHashValue(c, valuePos); err != nil {
		return nil, err
	}
	return c, nil
}

// existsTest parses [NOT] EXISTS path.
func (p *parser) existsTest() (ComparisonExpression, error) {
	c := &Comparison{Pos: p.tok.pos, Op: Exists}
	if p.isKeyword("NOT") {
		c.Negated = true
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("EXISTS") {
			return nil, p.unexpected("EXISTS after a leading NOT")
		}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.objectPath(&c.Path); err != nil {
		return nil, err
	}
	return c, nil
}

func operatorOf(t token) Operator {
	switch t.kind {
	case tEQ:
		return Equal
	case tNEQ:
		return NotEqual
	case tGT:
		return Greater
	case tLT:
		return Less
	case tGE:
		return GreaterEqual
	case tLE:
		return LessEqual
	case tKeyword:
		switch t.text {
		case "IN":
			return In
		case "LIKE":
			return Like
		case "MATCHES":
			return Matches
		case "ISSUBSET":
			return IsSubset
		case "ISSUPERSET":
			return IsSuperset
		}
	}
	return 0
}

// objectPath parses type:property then .key, .'quoted key', [n] and [*].
func (p *parser) objectPath(path *ObjectPath) error {
	path.Pos = p.tok.pos
	if p.tok.kind != tIdent && p.tok.kind != tIdentHyph {
		return p.unexpected("an object path such as file:name")
	}
	typeTok := p.tok
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tColon {
		return p.unexpected("':' after object type " + fmt.Sprintf("%q", typeTok.text))
	}
	if err := checkTypeName(typeTok.text, typeTok.pos); err != nil {
		return err
	}
	path.ObjectType = typeTok.text
	if err := p.advance(); err != nil {
		return err
	}
	namePos := p.tok.pos
	name, err := p.key("a property name after ':'")
	if err != nil {
		return err
	}
	if err := checkPropertyName(path.ObjectType, name, namePos); err != nil {
		return err
	}
	path.Steps = append(make([]Step, 0, 4), Step{Kind: Property, Name: name})
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return err
			}
			name, err := p.key("a property name or quoted key after '.'")
			if err != nil {
				return err
			}
			path.Steps = append(path.Steps, Step{Kind: Property, Name: name})
		case tLBrack:
			if err := p.advance(); err != nil {
				return err
			}
			step := Step{Kind: AnyIndex}
			switch p.tok.kind {
			case tStar:
			case tInt:
				lit, err := p.number()
				if err != nil {
					return err
				}
				step = Step{Kind: Index, Index: lit.Int}
			default:
				return p.unexpected("a list index (an integer or *)")
			}
			if err := p.advance(); err != nil {
				return err
			}
			if err := p.expect(tRBrack, "']' after list index"); err != nil {
				return err
			}
			path.Steps = append(path.Steps, step)
		default:
			return nil
		}
	}
}

// key parses an unhyphenated identifier or a quoted string as a property
// name or dictionary key.
func (p *parser) key(want string) (string, error) {
	var name string
	switch p.tok.kind {
	case tIdent:
		name = p.tok.text
	case tString:
		name = unquote(p.tok.text)
	case tIdentHyph:
		return "", &SyntaxError{p.tok.pos, fmt.Sprintf("key %q contains '-' and must be single-quoted ('%s')", p.tok.text, p.tok.text)}
	default:
		return "", p.unexpected(want)
	}
	return name, p.advance()
}

// unquote returns the text of a '...' token without quotes and escapes.
func unquote(text string) string {
	body := text[1 : len(text)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' {
			i++ // the lexer guarantees \' or \\
		}
		b.WriteByte(body[i])
	}
	return b.String()
}
