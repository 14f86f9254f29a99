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
// parser parses every corpus file without growing its value cache or its
// input copy.
func TestPresizedParserGrowsNothing(t *testing.T) {
	for _, dir := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(t, dir) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			scan, e := scanJSONKeys(data, fastjson.MaxDepth-1)
			if e != nil {
				continue // not JSON: never parsed
			}
			p := new(fastjson.Parser)
			presizeParser(p, len(data), scan.values)
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
		}
	}
}
