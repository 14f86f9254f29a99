package schemas

import (
	"os"
	"testing"

	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// BenchmarkCheckCorpus is our checks alone (ValidateDocument on documents
// parsed beforehand) over the valid corpus, in objects per CPU-second.
//
//	go test -run '^$' -bench BenchmarkCheckCorpus ./schemas
func BenchmarkCheckCorpus(b *testing.B) {
	v := NewValidator(Options{})
	var docs []*Document
	objects := 0
	for _, path := range stixtest.CorpusFiles(b, "valid") {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		d, rep := v.Validate(data)
		if !rep.Valid() {
			b.Fatalf("%s: %v", path, rep.Errors)
		}
		docs, objects = append(docs, d), objects+len(d.Objects)
	}
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		for _, d := range docs {
			v.ValidateDocument(d)
		}
	}
	if cpu = cputime.Process() - cpu; cpu > 0 {
		b.ReportMetric(float64(objects)*float64(b.N)/cpu.Seconds(), "objects/cpu-s")
	}
}
