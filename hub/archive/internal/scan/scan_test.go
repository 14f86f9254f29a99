package scan_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/internal/scan"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// reference does with encoding/json what Objects and HeadOf do. Member
// names are case-sensitive in STIX, so it decodes into maps (a struct tag
// would match "OBJECTS" too).
func reference(body []byte) ([][]byte, []scan.Head, error) {
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
	heads := make([]scan.Head, len(list))
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
		objs, err := scan.Objects(body)
		require.NoError(t, err, file)
		require.Len(t, objs, len(wantObjs), file)
		for i := range objs {
			require.True(t, bytes.Equal(wantObjs[i], objs[i]), "%s /objects/%d", file, i)
			h, err := scan.HeadOf(objs[i])
			require.NoError(t, err)
			require.Equal(t, wantHeads[i], h, "%s /objects/%d", file, i)
		}
	}
}

func TestScannerRejectsBrokenBundles(t *testing.T) {
	for _, body := range []string{``, `{`, `{"objects":[{"id":"x"}`, `{"objects":[1]}`, `{"objects":{}}`,
		`{"objects":[{"id":"x}]}`, `[]`, `{"objects":[]} x`, `{"a" 1}`} {
		_, err := scan.Objects([]byte(body))
		require.Error(t, err, body)
	}
	objs, err := scan.Objects([]byte(`{"type":"bundle","o\u0062jects":[{"id":"a\"b","type":"x"} , {}]}`))
	require.NoError(t, err)
	require.Len(t, objs, 2)
	h, err := scan.HeadOf(objs[0])
	require.NoError(t, err)
	require.Equal(t, scan.Head{ID: `a"b`, Type: "x"}, h)
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
		objs, err := scan.Objects(body)
		wantObjs, wantHeads, refErr := reference(body)
		if refErr != nil || err != nil {
			return // the scanner is lenient about some malformed JSON the hub never sends
		}
		if len(objs) != len(wantObjs) {
			t.Fatalf("scanner found %d objects, encoding/json %d", len(objs), len(wantObjs))
		}
		for i := range objs {
			if !bytes.Equal(objs[i], wantObjs[i]) {
				t.Fatalf("/objects/%d: %q vs %q", i, objs[i], wantObjs[i])
			}
			h, err := scan.HeadOf(objs[i])
			if err != nil || h != wantHeads[i] {
				t.Fatalf("/objects/%d head %+v (%v) vs %+v", i, h, err, wantHeads[i])
			}
		}
	})
}
