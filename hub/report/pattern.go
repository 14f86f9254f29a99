package report

// patternTypes finds the cyber-observable object types a STIX pattern
// tests ("ipv4-addr", "domain-name", "url", ...). File hashes are told apart
// from other file properties as "file:hashes". It reads object paths only:
// a ':' outside a quoted string, after a token of [a-z0-9-].
type patternTypes struct{ out []string }

func (pt *patternTypes) of(pattern string) []string {
	pt.out = pt.out[:0]
	quoted := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case quoted && c == '\\':
			i++ // an escaped quote or backslash
		case c == '\'':
			quoted = !quoted
		case !quoted && c == ':':
			start := i
			for start > 0 && isTypeChar(pattern[start-1]) {
				start--
			}
			if start == i {
				continue
			}
			name := pattern[start:i]
			if name == "file" && hasPrefix(pattern[i+1:], "hashes") {
				name = "file:hashes"
			}
			pt.add(name)
		}
	}
	return pt.out
}

func (pt *patternTypes) add(name string) {
	for _, s := range pt.out {
		if s == name {
			return
		}
	}
	pt.out = append(pt.out, name)
}

func isTypeChar(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
