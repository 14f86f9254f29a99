package hostile

import (
	"fmt"
	"strings"
)

// YAML is the hostile configuration files every config door must refuse
// cheaply, each with its clear error. wrap turns a payload (top-level
// mapping lines) into a whole file of that door, for example by indenting
// it into a connector's source entry.
func YAML(wrap func(payload string) string) []Case {
	var laughs strings.Builder
	laughs.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	repeated := strings.Repeat("same: 1\n", 100_000) // 800 KB of one key
	var many strings.Builder
	for i := range 150_000 { // 1.7 MB of distinct unknown keys
		fmt.Fprintf(&many, "k%d: 1\n", i)
	}
	deep := strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000)
	return []Case{
		{Name: "billion laughs", Input: []byte(wrap(laughs.String())), Want: "anchors and aliases are not allowed"},
		{Name: "merge key", Input: []byte(wrap("base: {x: 1}\n<<: {y: 2}\n")), Want: "merge key"},
		{Name: "one key 100k times", Input: []byte(wrap(repeated)), Want: "same: duplicate field (first at line", MaxLines: 3},
		{Name: "150k unknown keys", Input: []byte(wrap(many.String())), Want: "more problems not shown", MaxTime: 10e9, MaxAlloc: 512 << 20},
		{Name: "deep nesting", Input: []byte(wrap("deep: " + deep + "\n")), Want: "exceeded max depth"},
		{Name: "second document", Input: []byte(wrap("x: 1\n") + "---\nx: 2\n"), Want: "a second YAML document"},
		{Name: "not UTF-8", Input: []byte(wrap("x: \"caf\xe9\"\n")), Want: "is not UTF-8"},
		{Name: "over the size cap", Input: []byte(wrap("x: 1\n") + strings.Repeat("#", 3<<20) + "\n"), Want: "larger than 2097152 bytes"},
	}
}
