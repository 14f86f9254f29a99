package schemas

import (
	"bytes"
	"net/netip"
	"strconv"

	"golang.org/x/text/language"
)

// isBase64 reports whether s is standard base64 with padding (RFC 4648
// section 4), the STIX binary type.
func isBase64(s []byte) bool {
	if len(s)%4 != 0 {
		return false
	}
	for i, ch := range s {
		switch {
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '+', ch == '/':
		case ch == '=':
			// padding: only in the last two places, and only at the end
			if i < len(s)-2 || (i == len(s)-2 && s[len(s)-1] != '=') {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isHex: an even, non-zero number of hex digits (the STIX hex type).
func isHex(s []byte) bool {
	if len(s) == 0 || len(s)%2 != 0 {
		return false
	}
	for _, ch := range s {
		if !isHexDigit(ch) {
			return false
		}
	}
	return true
}

// isURL: an absolute URI (RFC 3986): a scheme, a colon, and something
// after it, with no spaces or control characters.
func isURL(s []byte) bool {
	i := bytes.IndexByte(s, ':')
	if i < 1 || i == len(s)-1 || !isLetter(s[0]) {
		return false
	}
	for _, ch := range s[:i] {
		if !(isLetter(ch) || ch >= '0' && ch <= '9' || ch == '+' || ch == '-' || ch == '.') {
			return false
		}
	}
	for _, ch := range s[i+1:] {
		if ch <= ' ' || ch == 0x7f {
			return false
		}
	}
	return true
}

// isLangTag reports whether s is a valid RFC 5646 language tag: well-formed
// (checked here) and made of registered subtags (golang.org/x/text's copy
// of the IANA language subtag registry).
func isLangTag(s []byte) bool {
	if !wellFormedLangTag(s) {
		return false
	}
	if len(s) == 2 && isLetter(s[0]) && isLetter(s[1]) && commonLang[string(s)] {
		return true // the usual case, without parsing
	}
	_, err := language.Parse(string(s))
	return err == nil
}

var commonLang = map[string]bool{"en": true, "de": true, "fr": true, "es": true, "it": true, "nl": true,
	"pt": true, "ru": true, "zh": true, "ja": true, "ko": true, "ar": true, "no": true, "sv": true, "da": true,
	"fi": true, "pl": true}

// wellFormedLangTag checks the shape of an RFC 5646 language tag: langtag,
// private use (x-...) or a grandfathered i-/irregular tag.
func wellFormedLangTag(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	subs := bytes.Split(s, []byte("-"))
	for _, p := range subs {
		if len(p) == 0 || len(p) > 8 || !isAlnum(p) {
			return false
		}
	}
	first := subs[0]
	if len(first) == 1 { // "x-private" or "i-grandfathered"
		return (first[0] == 'x' || first[0] == 'X' || first[0] == 'i' || first[0] == 'I') && len(subs) > 1
	}
	if !isAlpha(first) || len(first) < 2 {
		return false
	}
	// After the language: extlang, script, region, variants, extensions,
	// private use, in that order. Check each subtag has a legal shape.
	for i := 1; i < len(subs); i++ {
		p := subs[i]
		switch {
		case len(p) == 1: // singleton: the rest are extension or private-use subtags
			return i < len(subs)-1
		case len(p) == 2 && isAlpha(p), len(p) == 3, len(p) == 4, len(p) >= 5:
		default:
			return false
		}
	}
	return true
}

func isAlpha(b []byte) bool {
	for _, ch := range b {
		if !isLetter(ch) {
			return false
		}
	}
	return true
}

func isAlnum(b []byte) bool {
	for _, ch := range b {
		if !(isLetter(ch) || ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

// ipWithPrefix checks an address with an optional CIDR prefix.
func ipWithPrefix(s []byte, want6 bool) bool {
	addr, pfx, hasPfx := bytes.Cut(s, []byte("/"))
	a, err := netip.ParseAddr(string(addr))
	if err != nil || a.Is6() != want6 || a.Zone() != "" {
		return false
	}
	if !hasPfx {
		return true
	}
	if len(pfx) == 0 || len(pfx) > 3 || (len(pfx) > 1 && pfx[0] == '0') {
		return false
	}
	n, err := strconv.Atoi(string(pfx))
	if err != nil {
		return false
	}
	return n >= 0 && n <= a.BitLen()
}

// isMAC: colon-delimited, lower-case, six octets (STIX 2.1 section 6.8).
func isMAC(s []byte) bool {
	if len(s) != 17 {
		return false
	}
	for i, ch := range s {
		if i%3 == 2 {
			if ch != ':' {
				return false
			}
		} else if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f') {
			return false
		}
	}
	return true
}

// mimeTopTypes are the IANA top-level media types.
var mimeTopTypes = [...]string{"application", "audio", "font", "example", "image", "message", "model", "multipart", "text", "video", "haptics"}

// isMIMEType: type/subtype with an IANA top-level type (parameters allowed).
func isMIMEType(s []byte) bool {
	top, sub, ok := bytes.Cut(s, []byte("/"))
	if !ok || len(sub) == 0 {
		return false
	}
	known := false
	for _, t := range mimeTopTypes {
		if string(bytes.ToLower(top)) == t {
			known = true
			break
		}
	}
	if !known {
		return false
	}
	if i := bytes.IndexByte(sub, ';'); i >= 0 {
		sub = bytes.TrimSpace(sub[:i])
	}
	for _, ch := range sub {
		if !(isLetter(ch) || ch >= '0' && ch <= '9' || bytes.IndexByte([]byte("!#$&^_.+-"), ch) >= 0) {
			return false
		}
	}
	return len(sub) > 0
}

// isEmailAddr: local@domain with no spaces (an addr-spec, loosely).
func isEmailAddr(s []byte) bool {
	at := bytes.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 {
		return false
	}
	for _, ch := range s {
		if ch <= ' ' || ch == 0x7f {
			return false
		}
	}
	return true
}

// isCPE23: a CPE 2.3 formatted string: "cpe:2.3:" and 11 more components.
func isCPE23(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("cpe:2.3:")) {
		return false
	}
	rest := s[len("cpe:2.3:"):]
	n := 1
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '\\':
			i++
		case ':':
			n++
		}
	}
	if n != 11 {
		return false
	}
	switch rest[0] {
	case 'a', 'o', 'h', '*', '-':
		return true
	}
	return false
}
