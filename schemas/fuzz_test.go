package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// resolvePointer reports whether the RFC 6901 pointer p names a value in
// doc (decoded with encoding/json).
func resolvePointer(doc any, p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' {
		return false
	}
	cur := doc
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return false
			}
			cur = v[i]
		default:
			return false
		}
	}
	return true
}

// checkInvariants holds for every input: well-formedness agrees with
// encoding/json (plus UTF-8, which RFC 8259 requires and json.Valid does
// not check), results are deterministic, bounded, Check's report is
// Validate's (and Check leaves its input as it was), and every pointer
// resolves in the document.
func checkInvariants(t *testing.T, v *schemas.Validator, data []byte) {
	d1, r1 := v.Validate(data)
	d2, r2 := v.Validate(data)
	if !reflect.DeepEqual(r1, r2) || (d1 == nil) != (d2 == nil) {
		t.Fatalf("not deterministic:\n%v\n%v", r1, r2)
	}
	orig := bytes.Clone(data)
	if r3 := v.Check(data); !reflect.DeepEqual(r1, r3) {
		t.Fatalf("Check's report differs from Validate's:\n%v\n%v", r1, r3)
	}
	if !bytes.Equal(data, orig) { // its trees point into data
		t.Fatal("Check changed its input")
	}
	syntax := len(r1.Errors) == 1 && r1.Errors[0].Rule == "json.syntax"
	depth := len(r1.Errors) == 1 && r1.Errors[0].Rule == "limit.depth"
	wellFormed := json.Valid(data) && utf8.Valid(data)
	if !depth && syntax == wellFormed {
		t.Fatalf("json.Valid=%v utf8.Valid=%v but our json.syntax=%v (%v) for %q",
			json.Valid(data), utf8.Valid(data), syntax, r1.Errors, data)
	}
	if syntax || depth {
		if d1 != nil {
			t.Fatal("a document returned with a parse error")
		}
		if !strings.HasPrefix(r1.Errors[0].Message, "line ") || r1.Errors[0].Pointer != "" {
			t.Fatalf("parse error must read \"line L, column C: ...\" with pointer \"\": %+v", r1.Errors[0])
		}
		return
	}
	if d1 == nil {
		t.Fatalf("well-formed JSON gave no document: %v", r1.Errors)
	}
	if n := len(r1.Errors) + len(r1.Warnings); n > len(data)+16 {
		t.Fatalf("%d findings for %d bytes", n, len(data))
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("encoding/json rejects what we parsed: %v", err)
	}
	// With duplicate keys a pointer is ambiguous (encoding/json keeps the
	// last value, our findings may be about the first): skip resolving.
	dup := false
	for _, f := range r1.Errors {
		dup = dup || f.Rule == "json.duplicate_key"
	}
	for _, f := range append(r1.Errors, r1.Warnings...) {
		if !dup && !resolvePointer(doc, f.Pointer) {
			t.Fatalf("pointer %q of %s does not resolve", f.Pointer, f.Rule)
		}
		if f.Object < -1 || f.Object >= len(d1.Objects) {
			t.Fatalf("object index %d out of range (%d objects)", f.Object, len(d1.Objects))
		}
	}
	d1.Release()
	d2.Release()
}

func FuzzValidate(f *testing.F) {
	for _, which := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(f, which) {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 16<<10 { // big bundles slow the fuzzer down and add nothing
				f.Add(data)
			}
		}
	}
	for _, s := range []string{`{}`, `[]`, `"x"`, `{"a":1,"a":2}`, `{"a\u0000":1}`, `"\ud800"`, "\"\xff\"",
		`{"type":"bundle","id":"bundle--a","objects":[{"type":"x-y"}]}`, `01`, `1.`, `-`, `1e`, `tru`,
		`{"type":"indicator","pattern_type":"stix","pattern":"[file:name = 'a']"}`, ` {"a" : [1, 2.5e-3, true, null]} `} {
		f.Add([]byte(s))
	}
	v := schemas.NewValidator(schemas.Options{Limits: schemas.Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxObjects: 1000}})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, v, data)
	})
}

// The corpus meets the same invariants (pointers resolve, deterministic).
func TestCorpusInvariants(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	for _, which := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(t, which) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(which+"/"+corpusName(path), func(t *testing.T) { checkInvariants(t, v, data) })
		}
	}
}
