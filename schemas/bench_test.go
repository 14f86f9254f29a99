package schemas_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/cputime"
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

// report gives objects/s and MB/s, and objects/cpu-s from the process CPU
// time since cpuStart (waiting for a core on a shared machine does not
// count; GC threads do).
func report(b *testing.B, objects, bytes int, cpuStart time.Duration) {
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(objects)*float64(b.N)/sec, "objects/s")
	b.ReportMetric(float64(bytes)*float64(b.N)/sec/1e6, "MB/s")
	if cpu := cputime.Process() - cpuStart; cpu > 0 {
		b.ReportMetric(float64(objects)*float64(b.N)/cpu.Seconds(), "objects/cpu-s")
	}
}

// BenchmarkValidateCorpus validates the whole valid corpus per iteration.
func BenchmarkValidateCorpus(b *testing.B) {
	benchCorpusPasses(b, func(v *schemas.Validator, data []byte) schemas.Report {
		doc, rep := v.Validate(data)
		doc.Release()
		return rep
	})
}

// BenchmarkValidatorCheckCorpus is BenchmarkValidateCorpus by way of Check
// (no tree kept: one object parsed at a time), as geneva validate runs.
func BenchmarkValidatorCheckCorpus(b *testing.B) {
	benchCorpusPasses(b, (*schemas.Validator).Check)
}

// benchCorpusPasses runs validate over every valid corpus file per
// iteration.
func benchCorpusPasses(b *testing.B, validate func(*schemas.Validator, []byte) schemas.Report) {
	docs, objects, size := benchCorpus(b)
	v := schemas.NewValidator(schemas.Options{})
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if rep := validate(v, d); !rep.Valid() {
				b.Fatal("valid corpus file reported invalid")
			}
		}
	}
	report(b, objects, size, cpu)
}

// BenchmarkUnmarshalMap is the baseline: encoding/json into map[string]any
// on the same bytes, which checks nothing.
func BenchmarkUnmarshalMap(b *testing.B) {
	docs, objects, size := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			var m map[string]any
			if err := json.Unmarshal(d, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
	report(b, objects, size, cpu)
}
