package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokenKind is a lexical class of the OASIS grammar (STIXPattern.g4).
type tokenKind uint8

const (
	tEOF       tokenKind = iota
	tIdent               // [a-zA-Z_][a-zA-Z0-9_]*
	tIdentHyph           // [a-zA-Z_][a-zA-Z0-9_-]* with at least one hyphen
	tInt                 // IntPosLiteral or IntNegLiteral
	tFloat               // FloatPosLiteral or FloatNegLiteral
	tString              // '...'
	tBool                // true, false
	tBinary              // b'...'
	tHex                 // h'...'
	tTimestamp           // t'...'
	tKeyword             // AND OR NOT ... (upper case only)
	tEQ                  // = ==
	tNEQ                 // != <>
	tLT                  // <
	tLE                  // <=
	tGT                  // >
	tGE                  // >=
	tColon               // :
	tDot                 // .
	tComma               // ,
	tLParen              // (
	tRParen              // )
	tLBrack              // [
	tRBrack              // ]
	tStar                // *
)

// isKeyword reports the grammar's keywords, which are case-sensitive.
// LAST is reserved but unused.
func isKeyword(text string) bool {
	switch text {
	case "AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET",
		"EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES":
		return true
	}
	return false
}

// token is one lexeme; text is a slice of the input (no copy).
type token struct {
	kind tokenKind
	pos  int
	text string
}

// lexer produces tokens on demand, so a typical pattern costs no token
// slice.
type lexer struct {
	src string
	pos int
}

// next returns the next token, or a *SyntaxError for input no token matches.
func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	s, start := l.src, l.pos
	if start >= len(s) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := s[start]
	single := func(k tokenKind, n int) (token, error) {
		l.pos += n
		return token{kind: k, pos: start, text: s[start:l.pos]}, nil
	}
	switch {
	case c == '\'':
		return l.quoted(tString, start, start)
	case (c == 'b' || c == 'h' || c == 't') && start+1 < len(s) && s[start+1] == '\'':
		kind := tTimestamp
		if c == 'b' {
			kind = tBinary
		} else if c == 'h' {
			kind = tHex
		}
		return l.quoted(kind, start, start+1)
	case isIdentStart(c):
		end := start + 1
		hyphen := false
		for end < len(s) && (isIdentPart(s[end]) || s[end] == '-') {
			hyphen = hyphen || s[end] == '-'
			end++
		}
		l.pos = end
		text := s[start:end]
		switch {
		case hyphen:
			return token{kind: tIdentHyph, pos: start, text: text}, nil
		case text == "true" || text == "false":
			return token{kind: tBool, pos: start, text: text}, nil
		case isKeyword(text):
			return token{kind: tKeyword, pos: start, text: text}, nil
		}
		return token{kind: tIdent, pos: start, text: text}, nil
	case isDigit(c) || c == '+' || c == '-' || (c == '.' && start+1 < len(s) && isDigit(s[start+1])):
		return l.number(start)
	case c == '=':
		if strings.HasPrefix(s[start:], "==") {
			return single(tEQ, 2)
		}
		return single(tEQ, 1)
	case c == '!':
		if strings.HasPrefix(s[start:], "!=") {
			return single(tNEQ, 2)
		}
	case c == '<':
		if strings.HasPrefix(s[start:], "<>") {
			return single(tNEQ, 2)
		}
		if strings.HasPrefix(s[start:], "<=") {
			return single(tLE, 2)
		}
		return single(tLT, 1)
	case c == '>':
		if strings.HasPrefix(s[start:], ">=") {
			return single(tGE, 2)
		}
		return single(tGT, 1)
	case c == ':':
		return single(tColon, 1)
	case c == '.':
		return single(tDot, 1)
	case c == ',':
		return single(tComma, 1)
	case c == '(':
		return single(tLParen, 1)
	case c == ')':
		return single(tRParen, 1)
	case c == '[':
		return single(tLBrack, 1)
	case c == ']':
		return single(tRBrack, 1)
	case c == '*':
		return single(tStar, 1)
	case c == '"':
		return token{}, &SyntaxError{start, `unexpected '"': STIX strings and quoted keys use single quotes`}
	}
	r, _ := utf8.DecodeRuneInString(s[start:])
	if r == utf8.RuneError {
		return token{}, &SyntaxError{start, "invalid UTF-8 byte"}
	}
	return token{}, &SyntaxError{start, "unexpected character " + quoteRune(r)}
}

// quoted scans a '...' literal whose quote is at q (start is where its
// prefix letter, if any, begins). Only \' and \\ are escapes.
func (l *lexer) quoted(kind tokenKind, start, q int) (token, error) {
	s := l.src
	for i := q + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\') {
				i++
				continue
			}
			return token{}, &SyntaxError{i, `invalid escape in string: only \' and \\ are allowed`}
		case '\'':
			l.pos = i + 1
			return token{kind: kind, pos: start, text: s[start:l.pos]}, nil
		}
	}
	return token{}, &SyntaxError{start, "unterminated string literal"}
}

// number scans IntPosLiteral, IntNegLiteral, FloatPosLiteral or
// FloatNegLiteral: [+-]? ('0' | [1-9][0-9]*) or [+-]? [0-9]* '.' [0-9]+.
func (l *lexer) number(start int) (token, error) {
	s := l.src
	i := start
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := i - digits
	kind := tInt
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		kind = tFloat
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else if intDigits == 0 {
		return token{}, &SyntaxError{start, "unexpected character " + quoteRune(rune(s[start]))}
	} else if intDigits > 1 && s[digits] == '0' {
		return token{}, &SyntaxError{start, "integer with a leading zero"}
	}
	l.pos = i
	return token{kind: kind, pos: start, text: s[start:i]}, nil
}

// skipSpace skips the grammar's whitespace set and comments.
func (l *lexer) skipSpace() error {
	s := l.src
	for l.pos < len(s) {
		c := s[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f':
			l.pos++
		case c == '/' && strings.HasPrefix(s[l.pos:], "/*"):
			end := strings.Index(s[l.pos+2:], "*/")
			if end < 0 {
				return &SyntaxError{l.pos, "unterminated comment"}
			}
			l.pos += 2 + end + 2
		case c == '/' && strings.HasPrefix(s[l.pos:], "//"):
			end := strings.IndexAny(s[l.pos:], "\r\n")
			if end < 0 {
				l.pos = len(s)
			} else {
				l.pos += end
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[l.pos:])
			if !isUnicodeSpace(r) {
				return nil
			}
			l.pos += n
		default:
			return nil
		}
	}
	return nil
}

// isUnicodeSpace is the non-ASCII part of the grammar's WS rule.
func isUnicodeSpace(r rune) bool {
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

func quoteRune(r rune) string { return strconv.QuoteRune(r) }
