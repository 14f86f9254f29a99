package oasis_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// benchInput is every corpus/valid file, and the same content split into
// standalone objects the way Checker.Check splits a bundle.
type benchInput struct {
	files       [][]byte
	fileBytes   int64
	objects     [][]byte // compact JSON of each object
	objectBytes int64
}

func loadBenchInput(b *testing.B) benchInput {
	b.Helper()
	var in benchInput
	var p fastjson.Parser
	for _, path := range stixtest.CorpusFiles(b, "valid") {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		in.files = append(in.files, data)
		in.fileBytes += int64(len(data))
		root, err := p.ParseBytes(data)
		if err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		objs := []*fastjson.Value{root}
		if string(root.GetStringBytes("type")) == "bundle" {
			objs = root.GetArray("objects")
		}
		for _, o := range objs {
			raw := o.MarshalTo(nil)
			in.objects = append(in.objects, raw)
			in.objectBytes += int64(len(raw))
		}
	}
	return in
}

// BenchmarkValidateCorpus compares, on all valid corpus files, our validator,
// the OASIS JSON schemas (object by object, decode included) and a bare
// encoding/json decode into interface values. One iteration is the whole
// corpus; MB/s counts the bytes each path reads (whole files for geneva and
// unmarshal-map, the compact pre-split objects for oasis-jsonschema).
//
//	go test -run '^$' -bench BenchmarkValidateCorpus -benchtime 3x ./schemas/oasis
func BenchmarkValidateCorpus(b *testing.B) {
	in := loadBenchInput(b)
	objects := float64(len(in.objects))
	// objects/s is wall time; objects/cpu-s divides by the CPU time the
	// process used, which waiting for a core on a busy machine does not
	// inflate (GC threads count, so it is not a one-core figure either).
	var cpuStart time.Duration
	start := func(b *testing.B) {
		b.ReportAllocs()
		cpuStart = cputime.Process()
	}
	perSecond := func(b *testing.B, passes int) {
		b.ReportMetric(objects*float64(passes)/b.Elapsed().Seconds(), "objects/s")
		if cpu := cputime.Process() - cpuStart; cpu > 0 {
			b.ReportMetric(objects*float64(passes)/cpu.Seconds(), "objects/cpu-s")
		}
	}

	b.Run("geneva", func(b *testing.B) {
		v := schemas.NewValidator(schemas.Options{})
		b.SetBytes(in.fileBytes)
		start(b)
		passes := 0
		for b.Loop() {
			passes++
			for _, data := range in.files {
				if _, r := v.Validate(data); !r.Valid() {
					b.Fatalf("a valid corpus file is rejected: %v", r.Errors)
				}
			}
		}
		perSecond(b, passes)
	})

	b.Run("oasis-jsonschema", func(b *testing.B) {
		k := checker(b)
		var p fastjson.Parser
		b.SetBytes(in.objectBytes)
		start(b)
		passes := 0
		for b.Loop() {
			passes++
			for _, raw := range in.objects {
				obj, err := p.ParseBytes(raw)
				if err != nil {
					b.Fatal(err)
				}
				_ = k.CheckObject(obj, "")
			}
		}
		perSecond(b, passes)
	})

	b.Run("unmarshal-map", func(b *testing.B) {
		b.SetBytes(in.fileBytes)
		start(b)
		passes := 0
		for b.Loop() {
			passes++
			for _, data := range in.files {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		}
		perSecond(b, passes)
	})
}
