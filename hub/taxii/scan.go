package taxii

import (
	"bytes"
	"encoding/json"
)

// A scanner over JSON that fastjson has already validated, to find the
// bytes of values as posted: fastjson gives values, not where they lie in
// the document. On anything else it stops early, without panicking.

// objectsSpan is the value of the first top-level key "objects" (written
// without escapes) of a valid JSON object, or nil.
func objectsSpan(b []byte) []byte {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	for i = skipSpace(b, i+1); i < len(b) && b[i] == '"'; {
		keyEnd := stringEnd(b, i)
		colon := skipSpace(b, keyEnd)
		if colon >= len(b) || b[colon] != ':' {
			return nil
		}
		start := skipSpace(b, colon+1)
		end := valueEnd(b, start)
		if key := b[i:keyEnd]; string(key) == `"objects"` || bytes.IndexByte(key, '\\') >= 0 && unescaped(key) == "objects" {
			return b[start:end]
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return nil
}

// elements are the values of a valid JSON array, each as written.
func elements(array []byte) [][]byte {
	if len(array) == 0 || array[0] != '[' {
		return nil
	}
	var out [][]byte
	for i := skipSpace(array, 1); i < len(array) && array[i] != ']'; {
		end := valueEnd(array, i)
		if end == i {
			break // not JSON: the caller validates first
		}
		out = append(out, array[i:end])
		i = skipSpace(array, end)
		if i < len(array) && array[i] == ',' {
			i = skipSpace(array, i+1)
		}
	}
	return out
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the string that opens at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd is the index after the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// unescaped is the JSON string key without its escapes (fastjson matches
// keys so).
func unescaped(key []byte) string {
	var s string
	_ = json.Unmarshal(key, &s)
	return s
}
