package pattern_test

import (
	"testing"

	"github.com/genevahub/geneva/schemas/pattern"
)

// A typical indicator pattern: a hash and a name of one file.
const typical = `[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:name = 'invoice.exe']`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pattern.Parse(typical); err != nil {
			b.Fatal(err)
		}
	}
}
