package pattern

import "fmt"

// qualifier parses WITHIN n SECONDS, REPEATS n TIMES or START t STOP t.
func (p *parser) qualifier() (Qualifier, error) {
	q := Qualifier{Pos: p.tok.pos}
	kw := p.tok.text
	if err := p.advance(); err != nil {
		return q, err
	}
	switch kw {
	case "WITHIN":
		q.Kind = Within
		if p.tok.kind != tInt && p.tok.kind != tFloat {
			return q, p.unexpected("a positive number of seconds after WITHIN")
		}
		lit, err := p.number()
		if err != nil {
			return q, err
		}
		if lit.Kind == IntLiteral && lit.Int <= 0 || lit.Kind == FloatLiteral && !(lit.Float > 0) {
			return q, &SyntaxError{p.tok.pos, fmt.Sprintf("WITHIN needs a positive number of seconds, not %s", p.tok.text)}
		}
		q.Seconds = lit
		if err := p.advance(); err != nil {
			return q, err
		}
		return q, p.expectKeyword("SECONDS", "SECONDS after WITHIN n")
	case "REPEATS":
		q.Kind = Repeats
		if p.tok.kind != tInt {
			return q, p.unexpected("a positive integer after REPEATS")
		}
		lit, err := p.number()
		if err != nil {
			return q, err
		}
		if lit.Int <= 0 {
			return q, &SyntaxError{p.tok.pos, fmt.Sprintf("REPEATS needs a positive integer, not %s", p.tok.text)}
		}
		q.Times = lit.Int
		if err := p.advance(); err != nil {
			return q, err
		}
		return q, p.expectKeyword("TIMES", "TIMES after REPEATS n")
	default: // START
		q.Kind = StartStop
		var err error
		if q.Start, err = p.timestamp("a timestamp t'...' after START"); err != nil {
			return q, err
		}
		if err := p.expectKeyword("STOP", "STOP after START t'...'"); err != nil {
			return q, err
		}
		stopPos := p.tok.pos
		if q.Stop, err = p.timestamp("a timestamp t'...' after STOP"); err != nil {
			return q, err
		}
		if !q.Start.Time.Before(q.Stop.Time) {
			return q, &SyntaxError{stopPos, "STOP must be later than START"}
		}
		return q, nil
	}
}

func (p *parser) expectKeyword(kw, want string) error {
	if !p.isKeyword(kw) {
		return p.unexpected(want)
	}
	return p.advance()
}

func (p *parser) timestamp(want string) (Literal, error) {
	if p.tok.kind != tTimestamp {
		return Literal{}, p.unexpected(want)
	}
	return p.literal()
}
