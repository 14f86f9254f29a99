package pattern

import (
	"fmt"
	"slices"
	"strings"
)

// standardTypes are the STIX 2.1 cyber-observable types. The OASIS
// validator accepts any name for their properties it lists; of those names
// only "id" breaks the custom-property rule, so it is the one exception.
var standardTypes = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true,
	"email-addr": true, "email-message": true, "file": true, "ipv4-addr": true,
	"ipv6-addr": true, "mac-addr": true, "mutex": true, "network-traffic": true,
	"process": true, "software": true, "url": true, "user-account": true,
	"windows-registry-key": true, "x509-certificate": true,
}

// checkTypeName applies the STIX type-name rule as the OASIS validator
// does (^-?[a-z0-9]+(-[a-z0-9]+)*-?$, 3 to 250 characters).
func checkTypeName(name string, pos int) error {
	if standardTypes[name] {
		return nil
	}
	ok := len(name) >= 3 && len(name) <= 250 && !strings.Contains(name, "--")
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || isDigit(c) || c == '-'
	}
	if !ok {
		return &SyntaxError{pos, fmt.Sprintf("object type %q must be 3 to 250 characters of a-z, 0-9 and single hyphens", name)}
	}
	return nil
}

// checkPropertyName applies the OASIS rule to the first property of a
// path: [a-z0-9_]{3,250}, or a property the spec defines for the type.
func checkPropertyName(objectType, name string, pos int) error {
	if name == "id" && standardTypes[objectType] {
		return nil
	}
	ok := len(name) >= 3 && len(name) <= 250
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || isDigit(c) || c == '_'
	}
	if !ok {
		return &SyntaxError{pos, fmt.Sprintf("property name %q must be 3 to 250 characters of a-z, 0-9 and '_'", name)}
	}
	return nil
}

// hashHexLengths are the OASIS validator's checks of hash values (hex
// digits of these lengths), keyed by the algorithm name upper-cased
// without hyphens. SSDEEP is checked separately.
var hashHexLengths = map[string][]int{
	"MD5": {32}, "MD6": {32, 40, 56, 64, 96, 128}, "RIPEMD160": {40}, "SHA1": {40},
	"SHA224": {56}, "SHA256": {64}, "SHA384": {96}, "SHA512": {128}, "SHA3224": {56},
	"SHA3256": {64}, "SHA3384": {96}, "SHA3512": {128}, "WHIRLPOOL": {128},
}

// checkHashValue checks '=' and '!=' comparisons of a known hash
// (...hashes.<algorithm>) against the algorithm's format.
func checkHashValue(c *Comparison, pos int) error {
	if c.Op != Equal && c.Op != NotEqual {
		return nil
	}
	steps := c.Path.Steps
	last := steps[len(steps)-1]
	if len(steps) < 2 || last.Kind != Property || !hasHashesStep(steps[:len(steps)-1]) {
		return nil
	}
	var buf [16]byte
	algo := buf[:0]
	for i := 0; i < len(last.Name) && len(algo) < len(buf); i++ {
		c := last.Name[i]
		if c == '-' {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		algo = append(algo, c)
	}
	v := c.Value.Str
	lengths, known := hashHexLengths[string(algo)]
	if !known && string(algo) != "SSDEEP" {
		return nil
	}
	if c.Value.Kind != StringLiteral {
		return &SyntaxError{pos, fmt.Sprintf("a %s hash must be compared with a string literal, found %s", last.Name, c.Value.Kind)}
	}
	var ok bool
	if string(algo) == "SSDEEP" {
		ok = len(v) >= 1 && len(v) <= 128 && strings.Trim(v, ssdeepChars) == ""
	} else {
		ok = strings.Trim(v, hexDigits) == "" && slices.Contains(lengths, len(v))
	}
	if !ok {
		return &SyntaxError{pos, fmt.Sprintf("%q is not a valid %s hash", v, last.Name)}
	}
	return nil
}

const (
	hexDigits   = "0123456789abcdefABCDEF"
	ssdeepChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+:."
)

func hasHashesStep(steps []Step) bool {
	for _, s := range steps {
		if s.Kind == Property && s.Name == "hashes" {
			return true
		}
	}
	return false
}
