package scan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/internal/scan"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// head is what the test compares of an object's head.
type head struct{ ID, Type, Modified string }

func headOf(o scan.Object) head { return head{string(o.ID), string(o.Type), string(o.Modified)} }

// reference does with encoding/json what Bundle does. Member
// names are case-sensitive in STIX, so it decodes into maps (a struct tag
// would match "OBJECTS" too).
func reference(body []byte) ([][]byte, []head, error) {
	var bundle map[string]json.RawMessage
	if err := json.Unmarshal(body, &bundle); err != nil {
		return nil, nil, err
	}
	var list []json.RawMessage
	if raw, ok := bundle["objects"]; ok {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, nil, err
		}
	}
	objs := make([][]byte, len(list))
	heads := make([]head, len(list))
	for i, raw := range list {
		objs[i] = raw
		var h map[string]any
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, nil, err
		}
		heads[i].ID, _ = h["id"].(string)
		heads[i].Type, _ = h["type"].(string)
		heads[i].Modified, _ = h["modified"].(string)
	}
	return objs, heads, nil
}

// On every valid corpus bundle the scanner finds the same objects, byte
// for byte, and the same id, type and modified as encoding/json.
func TestScannerAgreesWithEncodingJSON(t *testing.T) {
	for _, file := range stixtest.CorpusFiles(t, "valid") {
		body, err := os.ReadFile(file)
		require.NoError(t, err)
		var probe struct {
			Type    string            `json:"type"`
			Objects []json.RawMessage `json:"objects"`
		}
		if json.Unmarshal(body, &probe) != nil || probe.Type != "bundle" {
			continue // a single object, not a bundle
		}
		wantObjs, wantHeads, err := reference(body)
		require.NoError(t, err, file)
		objs, err := scan.Bundle(body, nil)
		require.NoError(t, err, file)
		require.Len(t, objs, len(wantObjs), file)
		for i := range objs {
			require.True(t, bytes.Equal(wantObjs[i], objs[i].Raw), "%s /objects/%d", file, i)
			require.Equal(t, wantHeads[i], headOf(objs[i]), "%s /objects/%d", file, i)
		}
	}
}

func TestScannerRejectsBrokenBundles(t *testing.T) {
	for _, body := range []string{``, `{`, `{"objects":[{"id":"x"}`, `{"objects":[1]}`, `{"objects":{}}`,
		`{"objects":[{"id":"x}]}`, `[]`, `{"objects":[]} x`, `{"a" 1}`} {
		_, err := scan.Bundle([]byte(body), nil)
		require.Error(t, err, body)
	}
	objs, err := scan.Bundle([]byte(`{"type":"bundle","o\u0062jects":[{"id":"a\"b","type":"x"} , {}]}`), nil)
	require.NoError(t, err)
	require.Len(t, objs, 2)
	require.Equal(t, head{ID: `a"b`, Type: "x"}, headOf(objs[0]))
	require.Equal(t, head{}, headOf(objs[1]))
}

// Strings are read by jumping between quotes and backslashes: escaped
// quotes, escaped backslashes before a closing quote, and long runs of
// escapes must all end the string at the right quote.
func TestScannerStrings(t *testing.T) {
	long := strings.Repeat(`\\n\"`, 10000)
	body := `{"objects":[{"id":"a\\","type":"b\\\"c","x":"` + long + `","modified":"m"},{"id":"\"}"}]}`
	objs, err := scan.Bundle([]byte(body), nil)
	require.NoError(t, err)
	want, wantHeads, err := reference([]byte(body))
	require.NoError(t, err)
	require.Len(t, objs, len(want))
	for i := range objs {
		require.Equal(t, string(want[i]), string(objs[i].Raw))
		require.Equal(t, wantHeads[i], headOf(objs[i]))
	}
	for _, broken := range []string{`{"objects":[{"id":"a\"}]}`, `{"objects":[{"id":"a\`, `{"objects":[{"id":"a`,
		`{"objects":[{"id":"0123456789a\`, `{"objects":[{"x":[{"y":"0123456789\`} {
		// Bytes past the end (in the slice's capacity) would complete the
		// bundle: the scanner must not read them; and with no capacity
		// left, slicing past the end would panic.
		body := append([]byte(broken), `"}]}`...)
		for _, body := range [][]byte{body[:len(broken)], body[:len(broken):len(broken)]} {
			_, err := scan.Bundle(body, nil)
			require.Error(t, err, broken)
		}
	}
}

// The scanner never panics, and whenever encoding/json reads the input as
// a bundle of objects, the scanner agrees with it.
func FuzzBundleObjects(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--1","modified":"2026-01-01T00:00:00Z","x":[1,{"y":"]"}]}]}`))
	f.Add([]byte(`{"objects":[{"id":"a\\\"b"},{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return // the hub only shares validated STIX, which is valid UTF-8; encoding/json would rewrite the bytes
		}
		objs, err := scan.Bundle(body, nil)
		wantObjs, wantHeads, refErr := reference(body)
		if refErr != nil || err != nil {
			return // the scanner is lenient about some malformed JSON the hub never sends
		}
		if len(objs) != len(wantObjs) {
			t.Fatalf("scanner found %d objects, encoding/json %d", len(objs), len(wantObjs))
		}
		for i := range objs {
			if !bytes.Equal(objs[i].Raw, wantObjs[i]) {
				t.Fatalf("/objects/%d: %q vs %q", i, objs[i].Raw, wantObjs[i])
			}
			if h := headOf(objs[i]); h != wantHeads[i] {
				t.Fatalf("/objects/%d head %+v vs %+v", i, h, wantHeads[i])
			}
		}
	})
}

// BenchmarkBundle scans every valid corpus bundle once per op, next to
// encoding/json's Valid over the same bytes (one pass, no output): the
// floor a byte-by-byte JSON reader cannot beat by much.
//
//	go test -run '^$' -bench Bundle ./hub/archive/internal/scan/
func BenchmarkBundle(b *testing.B) {
	var bodies [][]byte
	size := 0
	for _, file := range stixtest.CorpusFiles(b, "valid") {
		body, err := os.ReadFile(file)
		require.NoError(b, err)
		if _, err := scan.Bundle(body, nil); err == nil {
			bodies = append(bodies, body)
			size += len(body)
		}
	}
	scanAll := func(bodies [][]byte, size int) func(*testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(size))
			var list []scan.Object
			for b.Loop() {
				for _, body := range bodies {
					list, _ = scan.Bundle(body, list)
				}
			}
		}
	}
	b.Run("scan", scanAll(bodies, size))
	b.Run("hub-parts", scanAll(hubParts()))
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, body := range bodies {
				json.Valid(body)
			}
		}
	})
}

// hubParts are bundles as the hub shares them (the shape of
// hub/archive's BenchmarkPartToCalls): compact, a TLP marking and one to
// eight indicators, so per-member costs dominate rather than long strings.
func hubParts() (parts [][]byte, size int) {
	for n := range 64 {
		body := `{"type":"bundle","id":"bundle--00000000-1111-4000-8000-000000000000","objects":[` +
			`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z","name":"TLP:GREEN","extensions":{}}`
		for i := range 1 + n%8 {
			body += fmt.Sprintf(`,{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-%012x","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.%03dZ","name":"part %d object %d","pattern_type":"stix","pattern":"[ipv4-addr:value = '10.%d.%d.%d']","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
				n, i, n%1000, n, i, n%250, i, n%7)
		}
		parts = append(parts, []byte(body+"]}"))
		size += len(body) + 2
	}
	return parts, size
}
