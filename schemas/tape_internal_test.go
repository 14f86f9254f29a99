package schemas

import (
	"bytes"
	"os"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas/stixtest"
)

// FuzzTreeFromTape: for every input Check's pre-scan accepts, each
// object's tree built from the tape serialises as the tree fastjson parses
// from the object's bytes and is, field by field, that tree once fastjson
// has unescaped every string and key of both (in place: some of the
// built tree's are marked unescaped from the start); building and
// unescaping never change the input.
func FuzzTreeFromTape(f *testing.F) {
	for _, which := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(f, which) {
			if data, err := os.ReadFile(path); err == nil && len(data) <= 16<<10 {
				f.Add(data)
			}
		}
	}
	for _, s := range []string{`{"objects":[]}`, `{"objects":[{}, [], "", 0, true, false, null]}`,
		`{"objects":[{"a\"b":"c\\d\u00e9\ud83d\ude00","\u0061":[-0.5e+7,{"x":[[]]}]}],"type":"bundle"}`,
		`{"type":"bundle","objects":[{"type":"x-y","n":1E400,"s":"\/\b\f\n\r\t"}],"objects2":[1]}`,
		` { "objects" : [ { "k" : [ 1 , 2 ] } , { } ] } `} {
		f.Add([]byte(s))
	}
	if !fjLayout.ok {
		f.Fatal("fastjson's value layout is not the one the tape builds (findTreeLayout)")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		sc, scan, e := scanJSONKeys(data, 32, false)
		defer releaseScanner(sc)
		if e != nil {
			return
		}
		var b treeBuilder
		var p fastjson.Parser
		for i, sp := range scan.objects {
			got := b.build(data, scan.tape, scan.objectTapes[i])
			want, err := p.ParseBytes(data[sp.start:sp.end])
			if err != nil {
				t.Fatalf("object %d: fastjson refuses what the scan accepted: %v", i, err)
			}
			if g, w := got.MarshalTo(nil), want.MarshalTo(nil); !bytes.Equal(g, w) {
				t.Fatalf("object %d: serialised differently:\n%s\n%s", i, g, w)
			}
			unescapeAll(got)
			unescapeAll(want)
			if !sameTree(got, want) {
				t.Fatalf("object %d: the tree from the tape is not fastjson's for %q", i, data[sp.start:sp.end])
			}
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("building the trees changed the input")
		}
	})
}
