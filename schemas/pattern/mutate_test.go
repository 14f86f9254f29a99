package pattern_test

import (
	"math/rand/v2"
	"unicode/utf8"
)

// mutationPieces are fragments spliced into valid patterns to make
// near-miss input that probes the grammar's corners.
var mutationPieces = []string{
	" AND ", " OR ", " FOLLOWEDBY ", " NOT ", "[", "]", "(", ")", "'", `\`, " WITHIN 5 SECONDS",
	" REPEATS 2 TIMES", " START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'", ".", ":", "-",
	"+", "0", "1.5", "*", "[*]", "[0]", "EXISTS ", " IN (1,2)", "b'AA=='", "h'ab'",
	"t'2016-01-01T00:00:00Z'", "true", "x-foo", `"`, "//", "/*c*/", "_", "==", "<>", " LIKE ",
	" MATCHES ", "e5", "\t", "\u00a0", "é",
}

// mutations returns n variants of each seed, each with one to three random
// deletions, insertions or replacements (invalid UTF-8 dropped); the same
// seeds give the same list.
func mutations(seeds []string, n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	var out []string
	for _, s := range seeds {
		for range n {
			b := []byte(s)
			for m := r.IntN(3); m >= 0; m-- {
				pos := r.IntN(len(b) + 1)
				piece := []byte(mutationPieces[r.IntN(len(mutationPieces))])
				switch r.IntN(3) {
				case 0:
					end := min(pos+r.IntN(4), len(b))
					b = append(b[:pos:pos], b[end:]...)
				case 1:
					b = append(b[:pos:pos], append(piece, b[pos:]...)...)
				default:
					if pos < len(b) {
						b = append(b[:pos:pos], append(piece, b[pos+1:]...)...)
					}
				}
			}
			if utf8.Valid(b) { // JSON would alter other input on its way to OASIS
				out = append(out, string(b))
			}
		}
	}
	return out
}
