package schemas

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"
)

// hashHexLen is the hex length of the fixed-size algorithms of
// hash-algorithm-ov; SSDEEP and TLSH vary.
var hashHexLen = map[string]int{
	"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128,
	"SSDEEP": 0, "TLSH": 0,
}

// checkHashes checks a hashes dictionary: keys are hash-algorithm-ov names
// or custom names of 3 to 250 characters [a-zA-Z0-9_-]; values of known
// algorithms are hex of the right length.
func (c *checker) checkHashes(v *fastjson.Value) {
	if !c.wantType(v, fastjson.TypeObject, "a hashes dictionary") {
		return
	}
	o, _ := v.Object()
	if o.Len() == 0 {
		c.fail(RulePropertyEmpty, "must not be an empty dictionary")
		return
	}
	o.Visit(func(k []byte, h *fastjson.Value) {
		c.push(k)
		defer c.pop()
		want, known := hashHexLen[string(k)]
		if !known {
			if len(k) < 3 || len(k) > 250 || !hashNameChars(k) {
				c.fail(RuleHashAlgorithm, quote(k)+" is not a hash algorithm name (hash-algorithm-ov, or 3 to 250 characters a-z A-Z 0-9 _ -)")
				return
			}
			if alias := canonicalHash(k); alias != "" {
				c.warn(RuleHashVocab, fmt.Sprintf("%s should be written %q (hash-algorithm-ov)", quote(k), alias))
			} else if !bytes.HasPrefix(k, []byte("x_")) {
				c.warn(RuleHashVocab, quote(k)+" is not in hash-algorithm-ov; custom hash names should start with x_")
			}
		}
		if !c.wantType(h, fastjson.TypeString, "a string") {
			return
		}
		s := h.GetStringBytes()
		if len(s) == 0 {
			c.fail(RuleHashValue, "must not be empty")
			return
		}
		if want > 0 && (len(s) != want || !isHex(s)) {
			c.fail(RuleHashValue, fmt.Sprintf("%s is not a %s hash (%d hex digits)", quote(s), k, want))
		}
	})
}

func hashNameChars(k []byte) bool {
	for _, ch := range k {
		if !(isLetter(ch) || ch >= '0' && ch <= '9' || ch == '_' || ch == '-') {
			return false
		}
	}
	return true
}

// canonicalHash maps a common misspelling (sha256, Sha-1) to its
// hash-algorithm-ov name, or "".
func canonicalHash(k []byte) string {
	norm := strings.NewReplacer("-", "", "_", "").Replace(strings.ToUpper(string(k)))
	for name := range hashHexLen {
		if strings.ReplaceAll(name, "-", "") == norm {
			return name
		}
	}
	return ""
}
