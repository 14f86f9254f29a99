package schemas_test

import (
	"os"
	"reflect"
	"sync"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// One Validator serves many goroutines (the hub's policy workers) with the
// same results as serially; run with -race to check the sharing.
func TestConcurrentValidation(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	var docs [][]byte
	var want []schemas.Report
	for _, which := range []string{"valid", "invalid"} {
		for _, f := range stixtest.CorpusFiles(t, which) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > 64<<10 {
				continue
			}
			d, rep := v.Validate(data)
			d.Release()
			docs = append(docs, data)
			want = append(want, rep)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range docs {
				j := (i + g*37) % len(docs)
				d, rep := v.Validate(docs[j])
				if !reflect.DeepEqual(rep, want[j]) {
					t.Errorf("document %d: concurrent report differs", j)
				}
				d.Release()
			}
		}(g)
	}
	wg.Wait()
}

func TestValidateDocumentWithoutRoot(t *testing.T) {
	rep := schemas.NewValidator(schemas.Options{}).ValidateDocument(&schemas.Document{})
	if rep.Valid() || rep.Errors[0].Rule != "document.root" {
		t.Fatalf("got %v", rep.Errors)
	}
}
