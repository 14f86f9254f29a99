package schemas

import (
	"bytes"
)

// idProblem describes a malformed identifier; rule "" means well-formed.
type idProblem struct {
	rule string
	why  string
}

// validTypeName reports whether s is a STIX type name: a-z, 0-9 and hyphen,
// starting with a letter, 3 to 250 characters, no "--" (the id separator).
func validTypeName(s []byte) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i > 0 && s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

const typePartBad = "is not an identifier: its type part is not a valid type name"

// splitID splits "type--uuid" and checks both halves. It returns the type
// prefix, the UUID version digit (0 when malformed) and any problem.
func splitID(s []byte) (typ []byte, version byte, p idProblem) {
	// The UUID has a fixed length, so the separator is where it must be;
	// search only for the error message.
	i := len(s) - 38
	if i <= 0 || s[i] != '-' || s[i+1] != '-' {
		i = bytes.LastIndex(s, []byte("--"))
	}
	if i <= 0 {
		return nil, 0, idProblem{RuleIDFormat, "is not an identifier of the form type--UUID"}
	}
	typ, u := s[:i], s[i+2:]
	if !validTypeName(typ) {
		return typ, 0, idProblem{RuleIDFormat, typePartBad}
	}
	if len(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return typ, 0, idProblem{RuleIDFormat, "is not an identifier: the part after '--' is not a UUID"}
	}
	if !allHex(u[0:8]) || !allHex(u[9:13]) || !allHex(u[14:18]) || !allHex(u[19:23]) || !allHex(u[24:36]) {
		return typ, 0, idProblem{RuleIDFormat, "is not an identifier: the part after '--' is not a UUID"}
	}
	version = u[14]
	if version < '1' || version > '5' {
		return typ, 0, idProblem{RuleIDUUID, "is not an RFC 4122 UUID (version digit must be 1-5)"}
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
	default:
		return typ, 0, idProblem{RuleIDUUID, "is not an RFC 4122 UUID (variant digit must be 8, 9, a or b)"}
	}
	return typ, version, idProblem{}
}

var hexDigit = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isHexDigit(byte(c))
	}
	return t
}()

func allHex(b []byte) bool {
	for _, c := range b {
		if !hexDigit[c] {
			return false
		}
	}
	return true
}

// validPropertyName: a-z 0-9 _, starting with a letter, 3 to 250
// characters (STIX 2.1 sections 3.1 and 11.1: property names MUST use
// lowercase ASCII; "id" is the one short exception).
func validPropertyName(s []byte) bool {
	if len(s) > 250 || len(s) == 0 {
		return false
	}
	if len(s) < 3 {
		return string(s) == "id"
	}
	if !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
