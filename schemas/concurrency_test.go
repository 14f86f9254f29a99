package schemas_test

import (
	"os"
	"reflect"
	"strings"
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

// Options.Workers splits a large bundle's objects over goroutines: the
// report must be the one a single checker gives, findings in the same
// order, on every corpus file (ATT&CK's thousands of objects included) and
// on a large bundle with errors spread over it; Check (one object parsed
// at a time) gives that report too, with and without workers. Run with
// -race.
func TestWorkersGiveTheSameReport(t *testing.T) {
	one := schemas.NewValidator(schemas.Options{})
	many := schemas.NewValidator(schemas.Options{Workers: 3})
	var docs [][]byte
	for _, which := range []string{"valid", "invalid"} {
		for _, f := range stixtest.CorpusFiles(t, which) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	var objs []string
	for i := range 2000 {
		o := baseIndicator
		switch i % 7 {
		case 0:
			o = strings.Replace(o, `"pattern_type":"stix"`, `"pattern_type":"stix","x_Bad":1,"x_ok":2`, 1)
		case 3:
			o = strings.Replace(o, `"created":"2016-04-06T20:03:48.000Z"`, `"created":"2016-04-31T20:03:48.000Z"`, 1)
		}
		objs = append(objs, o)
	}
	docs = append(docs, []byte(bundle(objs...)))
	split := false
	for i, data := range docs {
		d1, want := one.Validate(data)
		d2, got := many.Validate(data)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("document %d: %d errors, %d warnings with one checker; %d, %d with workers", i,
				len(want.Errors), len(want.Warnings), len(got.Errors), len(got.Warnings))
		}
		for _, v := range []*schemas.Validator{one, many} {
			if got := v.Check(data); !reflect.DeepEqual(want, got) {
				t.Fatalf("document %d: %d errors, %d warnings from Validate; %d, %d from Check", i,
					len(want.Errors), len(want.Warnings), len(got.Errors), len(got.Warnings))
			}
		}
		split = split || (d2 != nil && len(d2.Objects) >= 3*256)
		d1.Release()
		d2.Release()
	}
	if !split {
		t.Fatal("no document was large enough to be split")
	}
}
