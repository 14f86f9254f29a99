package schemas

import (
	"os"
	"testing"
	"unsafe"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas/stixtest"
)

// The fastjson release we build with has the fields presizing relies on;
// if an upgrade moves them, this fails instead of the speed quietly going.
func TestParserFieldsFound(t *testing.T) {
	if !parserFields.ok {
		t.Fatal("fastjson.Parser no longer has b []byte and c.vs []Value: presizeParser is off")
	}
}

// The scan counts exactly the values fastjson creates, so a presized
// parser parses every corpus file without growing its value cache, its
// input copy or any object's or array's list.
func TestPresizedParserGrowsNothing(t *testing.T) {
	for _, dir := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(t, dir) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc, scan, e := scanJSONKeys(data, fastjson.MaxDepth-1, true)
			if e != nil {
				releaseScanner(sc)
				continue // not JSON: never parsed
			}
			p := new(fastjson.Parser)
			presizeParser(p, len(data), &scan)
			vs := (*[]fastjson.Value)(unsafe.Add(unsafe.Pointer(p), parserFields.values))
			in := (*[]byte)(unsafe.Add(unsafe.Pointer(p), parserFields.input))
			vsArray, inArray := unsafe.SliceData(*vs), unsafe.SliceData(*in)
			if _, err := p.ParseBytes(data); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(*vs) != scan.values || unsafe.SliceData(*vs) != vsArray {
				t.Errorf("%s: fastjson made %d values (cache moved: %v), the scan counted %d",
					path, len(*vs), unsafe.SliceData(*vs) != vsArray, scan.values)
			}
			if unsafe.SliceData(*in) != inArray {
				t.Errorf("%s: the input copy grew", path)
			}
			// A fresh parser: itself, input copy, values, members, elements.
			allocs := testing.AllocsPerRun(3, func() {
				p := new(fastjson.Parser)
				presizeParser(p, len(data), &scan)
				if _, err := p.ParseBytes(data); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > 5 {
				t.Errorf("%s: a presized parse made %v allocations, want at most 5", path, allocs)
			}
			releaseScanner(sc)
		}
	}
}
