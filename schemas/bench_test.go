package schemas_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// benchCorpus is every valid corpus file with its object count.
func benchCorpus(b *testing.B) (docs [][]byte, objects, bytes int) {
	b.Helper()
	v := schemas.NewValidator(schemas.Options{})
	for _, f := range stixtest.CorpusFiles(b, "valid") {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		d, _ := v.Validate(data)
		if d == nil {
			b.Fatalf("%s: not parseable", f)
		}
		docs = append(docs, data)
		objects += len(d.Objects)
		bytes += len(data)
	}
	return docs, objects, bytes
}

func report(b *testing.B, objects, bytes int) {
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(objects)*float64(b.N)/sec, "objects/s")
	b.ReportMetric(float64(bytes)*float64(b.N)/sec/1e6, "MB/s")
}

// BenchmarkValidateCorpus validates the whole valid corpus per iteration.
func BenchmarkValidateCorpus(b *testing.B) {
	docs, objects, size := benchCorpus(b)
	v := schemas.NewValidator(schemas.Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			doc, rep := v.Validate(d)
			if !rep.Valid() {
				b.Fatal("valid corpus file reported invalid")
			}
			doc.Release()
		}
	}
	report(b, objects, size)
}

// BenchmarkUnmarshalMap is the baseline: encoding/json into map[string]any
// on the same bytes, which checks nothing.
func BenchmarkUnmarshalMap(b *testing.B) {
	docs, objects, size := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			var m map[string]any
			if err := json.Unmarshal(d, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
	report(b, objects, size)
}
