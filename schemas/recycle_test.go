package schemas_test

import (
	"os"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// Parsers come back from Release with the lists presizing carved for the
// previous document; a document parsed by a recycled parser must be the
// same tree as one parsed by a fresh parser, whatever came before it.
func TestRecycledParsersParseTheSame(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	var docs [][]byte
	var fresh []string
	for _, which := range []string{"valid", "invalid"} {
		for _, f := range stixtest.CorpusFiles(t, which) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := v.Validate(data) // not released: a parser of its own
			if d == nil {
				continue
			}
			docs, fresh = append(docs, data), append(fresh, d.Root.String())
		}
	}
	// Large and small documents interleaved, each parser released before
	// the next Validate so the same few parsers are reused throughout.
	for round := 0; round < 2; round++ {
		for k := range docs {
			i := k
			if round == 1 {
				i = (k * 7919) % len(docs)
			}
			d, _ := v.Validate(docs[i])
			if got := d.Root.String(); got != fresh[i] {
				t.Fatalf("round %d, document %d: a recycled parser gave a different tree", round, i)
			}
			d.Release()
		}
	}
}
