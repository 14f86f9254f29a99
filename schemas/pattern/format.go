package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// String prints the pattern in canonical form: single spaces, redundant
// comparison parentheses dropped, literals normalised. Parse(p.String())
// gives back an equal tree.
func (p *Pattern) String() string {
	var b strings.Builder
	writeObservation(&b, p.Expr)
	return b.String()
}

func writeObservation(b *strings.Builder, e ObservationExpression) {
	switch e := e.(type) {
	case *Observation:
		b.WriteByte('[')
		writeComparison(b, e.Expr, false)
		b.WriteByte(']')
	case *Group:
		b.WriteByte('(')
		writeObservation(b, e.Expr)
		b.WriteByte(')')
	case *ObservationOp:
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteString(" " + e.Op.String() + " ")
			}
			// A tree from Parse never needs these parentheses; a hand-built
			// one might (an OR inside an AND).
			inner, nested := o.(*ObservationOp)
			paren := nested && inner.Op >= e.Op
			if paren {
				b.WriteByte('(')
			}
			writeObservation(b, o)
			if paren {
				b.WriteByte(')')
			}
		}
	case *Qualified:
		_, op := e.Expr.(*ObservationOp)
		if op {
			b.WriteByte('(')
		}
		writeObservation(b, e.Expr)
		if op {
			b.WriteByte(')')
		}
		for _, q := range e.Qualifiers {
			b.WriteByte(' ')
			writeQualifier(b, q)
		}
	}
}

func writeQualifier(b *strings.Builder, q Qualifier) {
	switch q.Kind {
	case Within:
		b.WriteString("WITHIN ")
		writeLiteral(b, q.Seconds)
		b.WriteString(" SECONDS")
	case Repeats:
		b.WriteString("REPEATS ")
		b.WriteString(strconv.FormatInt(q.Times, 10))
		b.WriteString(" TIMES")
	case StartStop:
		b.WriteString("START ")
		writeLiteral(b, q.Start)
		b.WriteString(" STOP ")
		writeLiteral(b, q.Stop)
	}
}

// writeComparison prints e; nested operator nodes get parentheses, which
// is where the source had them.
func writeComparison(b *strings.Builder, e ComparisonExpression, nested bool) {
	switch e := e.(type) {
	case *Comparison:
		if e.Op == Exists {
			if e.Negated {
				b.WriteString("NOT ")
			}
			b.WriteString("EXISTS ")
			b.WriteString(e.Path.String())
			return
		}
		b.WriteString(e.Path.String())
		if e.Negated {
			b.WriteString(" NOT")
		}
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		writeLiteral(b, e.Value)
	case *ComparisonOp:
		if nested {
			b.WriteByte('(')
		}
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteString(" " + e.Op.String() + " ")
			}
			writeComparison(b, o, true)
		}
		if nested {
			b.WriteByte(')')
		}
	}
}

// String prints the path, quoting keys that are not plain identifiers.
func (o ObjectPath) String() string {
	var b strings.Builder
	b.WriteString(o.ObjectType)
	b.WriteByte(':')
	for i, s := range o.Steps {
		switch s.Kind {
		case Property:
			if i > 0 {
				b.WriteByte('.')
			}
			if plainKey(s.Name) {
				b.WriteString(s.Name)
			} else {
				writeString(&b, s.Name)
			}
		case Index:
			b.WriteByte('[')
			b.WriteString(strconv.FormatInt(s.Index, 10))
			b.WriteByte(']')
		case AnyIndex:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// plainKey reports whether name lexes as IdentifierWithoutHyphen.
func plainKey(name string) bool {
	if name == "" || !isIdentStart(name[0]) || isKeyword(name) || name == "true" || name == "false" {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !isIdentPart(name[i]) {
			return false
		}
	}
	return true
}

// String prints the literal in pattern syntax.
func (l Literal) String() string {
	var b strings.Builder
	writeLiteral(&b, l)
	return b.String()
}

func writeLiteral(b *strings.Builder, l Literal) {
	switch l.Kind {
	case StringLiteral:
		writeString(b, l.Str)
	case IntLiteral:
		b.WriteString(strconv.FormatInt(l.Int, 10))
	case FloatLiteral:
		s := strconv.FormatFloat(l.Float, 'f', -1, 64)
		b.WriteString(s)
		if !strings.Contains(s, ".") {
			b.WriteString(".0")
		}
	case BoolLiteral:
		b.WriteString(strconv.FormatBool(l.Bool))
	case BinaryLiteral:
		b.WriteString("b'")
		b.WriteString(base64.StdEncoding.EncodeToString(l.Bytes))
		b.WriteByte('\'')
	case HexLiteral:
		b.WriteString("h'")
		b.WriteString(hex.EncodeToString(l.Bytes))
		b.WriteByte('\'')
	case TimestampLiteral:
		b.WriteString("t'")
		b.WriteString(l.Time.UTC().Format("2006-01-02T15:04:05.999999999Z"))
		b.WriteByte('\'')
	case SetLiteral:
		b.WriteByte('(')
		for i, e := range l.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, e)
		}
		b.WriteByte(')')
	}
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}
