package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"
)

// literal parses the scalar literal at the current token.
func (p *parser) literal() (Literal, error) {
	t := p.tok
	var lit Literal
	switch t.kind {
	case tString:
		lit = Literal{Kind: StringLiteral, Str: unquote(t.text)}
	case tInt, tFloat:
		var err error
		if lit, err = p.number(); err != nil {
			return Literal{}, err
		}
	case tBool:
		lit = Literal{Kind: BoolLiteral, Bool: t.text == "true"}
	case tBinary:
		b, err := decodeBinary(t.text[2 : len(t.text)-1])
		if err != nil {
			return Literal{}, &SyntaxError{t.pos, err.Error()}
		}
		lit = Literal{Kind: BinaryLiteral, Bytes: b}
	case tHex:
		b, err := hex.DecodeString(t.text[2 : len(t.text)-1])
		if err != nil {
			return Literal{}, &SyntaxError{t.pos, "invalid hex literal: want pairs of hex digits"}
		}
		lit = Literal{Kind: HexLiteral, Bytes: b}
	case tTimestamp:
		ts, err := parseTimestamp(t)
		if err != nil {
			return Literal{}, err
		}
		lit = ts
	case tLParen:
		return Literal{}, &SyntaxError{t.pos, "a set literal is only allowed after IN"}
	default:
		return Literal{}, p.unexpected("a literal value")
	}
	return lit, p.advance()
}

// number converts the current tInt or tFloat token without consuming it.
func (p *parser) number() (Literal, error) {
	t := p.tok
	if t.kind == tInt {
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return Literal{}, &SyntaxError{t.pos, fmt.Sprintf("integer %s out of range", t.text)}
		}
		return Literal{Kind: IntLiteral, Int: n}, nil
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(f, 0) {
		return Literal{}, &SyntaxError{t.pos, fmt.Sprintf("float %s out of range", t.text)}
	}
	return Literal{Kind: FloatLiteral, Float: f}, nil
}

// setLiteral parses ( ) or ( literal, literal, ... ) after IN.
func (p *parser) setLiteral() (Literal, error) {
	if p.tok.kind != tLParen {
		return Literal{}, p.unexpected("'(' to start the set after IN")
	}
	if err := p.advance(); err != nil {
		return Literal{}, err
	}
	set := Literal{Kind: SetLiteral}
	if p.tok.kind == tRParen {
		return set, p.advance()
	}
	for {
		if p.tok.kind == tLParen {
			return Literal{}, &SyntaxError{p.tok.pos, "sets cannot be nested"}
		}
		lit, err := p.literal()
		if err != nil {
			return Literal{}, err
		}
		set.Set = append(set.Set, lit)
		if p.tok.kind == tRParen {
			return set, p.advance()
		}
		if err := p.expect(tComma, "',' or ')' in set literal"); err != nil {
			return Literal{}, err
		}
	}
}

// decodeBinary checks the grammar's BinaryLiteral body (non-empty padded
// base64) and decodes it.
func decodeBinary(body string) ([]byte, error) {
	bad := len(body) == 0 || len(body)%4 != 0
	for i := 0; i < len(body) && !bad; i++ {
		c := body[i]
		switch {
		case c == '=':
			// '=' only as the last one or two characters, after data.
			bad = i < len(body)-2 || (i == len(body)-2 && body[i+1] != '=') || i%4 < 2
		case !(isIdentPart(c) && c != '_') && c != '+' && c != '/':
			bad = true
		}
	}
	if bad {
		return nil, fmt.Errorf("invalid binary literal: want padded base64")
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("invalid binary literal: %v", err)
	}
	return b, nil
}

// parseTimestamp checks a t'...' token against the grammar's
// TimestampLiteral and that it names a real instant (2017-02-29 does not).
func parseTimestamp(t token) (Literal, error) {
	body := t.text[2 : len(t.text)-1]
	if !timestampShape(body) {
		return Literal{}, &SyntaxError{t.pos, fmt.Sprintf("invalid timestamp %q: want YYYY-MM-DDTHH:MM:SS[.fraction]Z", body)}
	}
	ts, err := time.Parse(time.RFC3339Nano, body)
	if err != nil {
		return Literal{}, &SyntaxError{t.pos, fmt.Sprintf("timestamp %q is not a real date and time", body)}
	}
	return Literal{Kind: TimestampLiteral, Time: ts.UTC()}, nil
}

// timestampShape matches [0-9]{4}-MM-DDTHH:MM:SS(\.[0-9]+)?Z.
func timestampShape(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' && !isDigit(s[i]) || shape[i] != 'd' && s[i] != shape[i] {
			return false
		}
	}
	frac := s[len(shape) : len(s)-1]
	if frac == "" {
		return true
	}
	return frac[0] == '.' && len(frac) > 1 && allDigits(frac[1:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
