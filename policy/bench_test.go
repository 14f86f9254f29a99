package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// BenchmarkDecide measures validation + decision against json.Unmarshal of
// the same bytes into any, in the same run, and reports the ratio
// (goal: at most 3x for a one-indicator bundle):
//
//	go test -run='^$' -bench=Decide -benchtime=2s ./policy
func BenchmarkDecide(b *testing.B) {
	e := demoEngine(b)
	large, err := os.ReadFile(filepath.Join(stixtest.SharedDir(b), "corpus", "valid", "attack-mobile-attack-17.1.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		bundle []byte
	}{
		{"one-green-indicator", readCase(b, "green-tlp2-to-all.json")},
		{"attack-mobile-4MB", large},
	} {
		var unmarshal float64
		b.Run(bc.name+"/json.Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(bc.bundle)))
			for b.Loop() {
				var v any
				if err := json.Unmarshal(bc.bundle, &v); err != nil {
					b.Fatal(err)
				}
			}
			unmarshal = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		b.Run(bc.name+"/decide", func(b *testing.B) {
			b.SetBytes(int64(len(bc.bundle)))
			req := policy.Request{Sender: "cert-three", Bundle: bc.bundle}
			defer reportCPU(b)()
			for b.Loop() {
				e.Decide(req)
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(1e9/perOp, "decisions/s")
			if unmarshal > 0 {
				b.ReportMetric(perOp/unmarshal, "x-unmarshal")
			}
		})
		b.Run(bc.name+"/decide+release", func(b *testing.B) {
			b.SetBytes(int64(len(bc.bundle)))
			req := policy.Request{Sender: "cert-three", Bundle: bc.bundle}
			defer reportCPU(b)()
			for b.Loop() {
				d := e.Decide(req)
				d.Release()
			}
		})
	}
}

// BenchmarkPart measures building the part of one route, as the hub does
// once per route (go test -run='^$' -bench=Part ./policy).
func BenchmarkPart(b *testing.B) {
	d := demoEngine(b).Decide(policy.Request{Sender: "cert-three", Bundle: readCase(b, "green-tlp2-to-all.json")})
	if len(d.Routes) != 1 {
		b.Fatalf("%d routes, want 1", len(d.Routes))
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := d.Part(d.Routes[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU starts counting the process's CPU time; the function it
// returns reports it per op (cpu-ns/op), which the load of others on a
// shared machine moves less than ns/op. It counts the GC's work too.
func reportCPU(b *testing.B) func() {
	start := cputime.Process()
	return func() {
		if cpu := cputime.Process() - start; cpu > 0 && b.N > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
