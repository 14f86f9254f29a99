package classify

import "bytes"

// FullRules applies the line rules to s without the fast path, so tests can
// check that the fast path never drops a detection.
func FullRules(g *Guard, s string) bool {
	w := g.get("")
	defer g.put(w)
	w.buf = appendCanonical(w.buf[:0], []byte(s))
	for line := range bytes.SplitSeq(w.buf, []byte("\n")) {
		w.key = appendKey(w.key[:0], line)
		if _, ok := g.checkLine(w.key, w.buf); ok {
			return true
		}
	}
	return false
}

// Scan is the fast path's verdict on s: true when s goes on to the rules.
func Scan(g *Guard, s string) bool {
	hit, nonASCII := g.scan([]byte(s), true)
	return hit || nonASCII
}
