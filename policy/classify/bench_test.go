package classify_test

import (
	"path/filepath"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/classify"
	"github.com/genevahub/geneva/schemas/stixtest"
)

const typicalIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--2312f80a-28ca-5c17-ac28-009444abc81f",
"created":"2026-10-15T08:30:00.000Z","modified":"2026-10-15T08:30:00.000Z","name":"Phishing landing page",
"description":"A confidential source reported the domain to the bank's fraud team.",
"pattern":"[url:value = 'https://login.example-bank.test/verify']","pattern_type":"stix",
"valid_from":"2026-10-15T08:30:00.000Z","labels":["phishing","credential-theft"],
"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}`

func BenchmarkObject(b *testing.B) {
	g := guard(b, classify.Config{})
	b.Run("indicator", func(b *testing.B) {
		obj := parse(b, typicalIndicator)
		benchObject(b, g, obj, len(typicalIndicator))
	})
	ics := filepath.Join(stixtest.SharedDir(b), "corpus", "valid", "attack-ics-attack-18.1.json")
	b.Run("attack-pattern", func(b *testing.B) { // the longest technique: 5 KB of prose and citations
		obj, size := biggestObject(b, ics, "attack-pattern")
		benchObject(b, g, obj, size)
	})
	b.Run("attack-collection", func(b *testing.B) { // x-mitre-collection: 216 KB, ~2,000 refs
		obj, size := biggestObject(b, ics, "")
		benchObject(b, g, obj, size)
	})
}

// BenchmarkText: one string on the fast path (no stem) and one that needs
// the full rules (a stem in prose).
func BenchmarkText(b *testing.B) {
	g := guard(b, classify.Config{})
	for name, s := range map[string]string{
		"fast-path":  "Adversaries may use removable media to move onto systems, possibly those on disconnected or air-gapped networks.",
		"full-rules": "A confidential source reported the domain to the bank's fraud team; the Secret Service was informed.",
		"non-ascii":  "Der Angreifer nutzte eine präparierte Datei für den Zugriff auf das Netzwerk.",
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				if g.Text(s, "/x") != nil {
					b.Fatal("unexpected finding")
				}
			}
		})
	}
}

func benchObject(b *testing.B, g *classify.Guard, obj *fastjson.Value, size int) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if f := g.Object(obj, "/objects/0"); f != nil {
			b.Fatalf("unexpected finding %+v", f)
		}
	}
}

func biggestObject(b *testing.B, file, typ string) (*fastjson.Value, int) {
	var best *fastjson.Value
	size := 0
	for _, o := range objects(b, file) {
		if typ != "" && string(o.GetStringBytes("type")) != typ {
			continue
		}
		if n := len(o.MarshalTo(nil)); n > size {
			best, size = o, n
		}
	}
	if best == nil {
		b.Fatal("no object in " + file)
	}
	return best, size
}
