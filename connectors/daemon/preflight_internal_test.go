package daemon

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

const greenID = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

func testIndicator(n int, extra string) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'h%d.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"%s}`, n, n, extra)
}

func testBundle(objects ...string) []byte {
	return []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[` + strings.Join(objects, ",") + `]}`)
}

// TestPrepareFromTheParseMatchesReading: Prepare given the engine's parse
// returns byte for byte what it returns reading the body itself, for
// every default TLP and shape of input (marked, unmarked, one object, a
// definition only, odd members, not JSON, not STIX).
func TestPrepareFromTheParseMatchesReading(t *testing.T) {
	engine, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(t, err)
	marked := `,"object_marking_refs":["` + greenID + `"]`
	bodies := map[string][]byte{
		"marked bundle":        testBundle(string(tlp.Definition(tlp.Green)), testIndicator(1, marked)),
		"unmarked bundle":      testBundle(testIndicator(1, ""), testIndicator(2, marked)),
		"null markings":        testBundle(testIndicator(1, `,"object_marking_refs":null`)),
		"definition only":      testBundle(string(tlp.Definition(tlp.Amber))),
		"one object":           []byte(testIndicator(3, marked)),
		"one unmarked object":  []byte(testIndicator(4, "")),
		"a string as object":   testBundle(`"indicator"`, testIndicator(5, "")),
		"empty bundle":         testBundle(),
		"not JSON":             []byte(`{"type":"bundle",`),
		"an array":             []byte(`[1,2]`),
		"spaced bundle":        []byte("{ \"type\" : \"bundle\", \"id\": \"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d\",\n \"objects\": [ " + testIndicator(6, "") + " ] }"),
		"escaped type":         []byte(`{"type":"bundl\u0065","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[` + testIndicator(7, "") + `]}`),
		"mixed-case type key":  []byte(`{"Type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[` + testIndicator(8, "") + `]}`),
		"marking-def unmarked": testBundle(`{"type":"marking-definition","id":"`+greenID+`"}`, testIndicator(9, "")),
	}
	for _, level := range []string{"", "clear", "green", "amber", "amber+strict", "red"} {
		p := &Preflight{Engine: engine, Member: "bank-one", Defaults: Defaults{TLP: level}}
		for name, body := range bodies {
			want, wantErr := p.rewrite(body, p.defaultTLP())
			got, gotErr := p.Prepare(body, engine.Parse(body).Document())
			require.Equal(t, wantErr, gotErr, "%s, default %q", name, level)
			require.Equal(t, string(want), string(got), "%s, default %q", name, level)
		}
	}
}

// BenchmarkPreflight compares the pre-flight of one marked bundle of 50
// indicators read twice (Prepare reading the body, then Decide parsing it
// again: the old path) with one parse shared by both.
func BenchmarkPreflight(b *testing.B) {
	engine, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(b, err)
	p := &Preflight{Engine: engine, Member: "bank-one", Defaults: Defaults{TLP: "green"}}
	objs := []string{string(tlp.Definition(tlp.Green))}
	for i := range 50 {
		objs = append(objs, testIndicator(i, `,"object_marking_refs":["`+greenID+`"]`))
	}
	body := testBundle(objs...)
	b.Run("read-twice", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			bundle, err := p.rewrite(body, p.defaultTLP())
			if _, refused := p.check(engine, bundle, nil); err != nil || refused != nil {
				b.Fatal(err, refused)
			}
		}
	})
	b.Run("parse-once", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			parsed := engine.Parse(body)
			bundle, err := p.Prepare(body, parsed.Document())
			if _, refused := p.check(engine, bundle, parsed); err != nil || refused != nil {
				b.Fatal(err, refused)
			}
		}
	})
}
