package oasis_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/oasis"
	"github.com/genevahub/geneva/schemas/stixtest"
)

const (
	uuid      = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	timestamp = "2016-04-06T20:03:48.000Z"
)

func TestLoadErrors(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nope")
		_, err := oasis.Load(dir)
		require.ErrorContains(t, err, dir)
	})
	t.Run("folder without the schemas", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
		_, err := oasis.Load(dir)
		require.ErrorContains(t, err, dir+": no .json files")
	})
	t.Run("one schema broken", func(t *testing.T) {
		dir := copySchemas(t)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sdos", "tool.json"), []byte("{"), 0o644))
		_, err := oasis.Load(dir)
		require.ErrorContains(t, err, "tool.json")
	})
}

// TestLoadFolderMatchesEmbedded loads the vendored folder from disk and
// checks the corpus's schema-rejected files give the same findings as the
// embedded copy, so Load and Embedded cannot drift apart.
func TestLoadFolderMatchesEmbedded(t *testing.T) {
	fromDisk, err := oasis.Load(schemaDir(t))
	require.NoError(t, err)
	compared := 0
	for _, file := range stixtest.CorpusFiles(t, "invalid") {
		if label(t, file) != "schema" {
			continue
		}
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		want := checker(t).Check(data)
		require.NotEmpty(t, want, file)
		require.Equal(t, want, fromDisk.Check(data), file)
		compared++
	}
	require.Greater(t, compared, 50)
}

// copySchemas copies the vendored schemas into a temporary folder a test may
// break (never into the repository).
func copySchemas(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS(schemaDir(t))))
	return dst
}

func checkObject(t *testing.T, obj, pointer string) []schemas.Finding {
	t.Helper()
	v, err := fastjson.Parse(obj)
	require.NoError(t, err)
	return checker(t).CheckObject(v, pointer)
}

func TestCheckObject(t *testing.T) {
	t.Run("valid tool", func(t *testing.T) {
		fs := checkObject(t, `{"type":"tool","spec_version":"2.1","id":"tool--`+uuid+`","created":"`+timestamp+`","modified":"`+timestamp+`","name":"nmap"}`, "/objects/4")
		require.Empty(t, fs)
	})
	t.Run("findings carry the object's pointer and index", func(t *testing.T) {
		fs := checkObject(t, `{"type":"tool","spec_version":"2.1","id":"tool--`+uuid+`","created":"`+timestamp+`","modified":"2016-13-06T20:03:48Z","name":"nmap"}`, "/objects/4")
		require.Len(t, fs, 2, "timestamp.json and core.json's millisecond pattern both fail")
		for _, f := range fs {
			require.Equal(t, "/objects/4/modified", f.Pointer)
			require.Equal(t, oasis.RuleSchema, f.Rule)
			require.Equal(t, 4, f.Object)
			require.Contains(t, f.Message, "'2016-13-06T20:03:48Z' does not match pattern")
		}
	})
	t.Run("custom object with created is checked as an SDO", func(t *testing.T) {
		fs := checkObject(t, `{"type":"x-acme-widget","id":"x-acme-widget--`+uuid+`","created":"`+timestamp+`"}`, "")
		require.Equal(t, []schemas.Finding{{Object: 0, Rule: oasis.RuleSchema, Message: "missing properties 'spec_version', 'modified'"}}, fs)
	})
	t.Run("custom object without created and modified is checked as an SCO", func(t *testing.T) {
		require.Empty(t, checkObject(t, `{"type":"x-acme-widget","id":"x-acme-widget--`+uuid+`"}`, ""))
	})
	t.Run("keys are escaped in pointers", func(t *testing.T) {
		fs := checkObject(t, `{"type":"observed-data","spec_version":"2.1","id":"observed-data--`+uuid+`","created":"`+timestamp+`","modified":"`+timestamp+`",`+
			`"first_observed":"`+timestamp+`","last_observed":"`+timestamp+`","number_observed":1,"objects":{"a/b~c":5}}`, "")
		require.Len(t, fs, 1)
		require.Equal(t, "/objects/a~1b~0c", fs[0].Pointer)
		require.Equal(t, "got number, want object", fs[0].Message)
	})
	t.Run("oneOf names the closest branch", func(t *testing.T) {
		fs := checkObject(t, `{"type":"malware","spec_version":"2.1","id":"malware--`+uuid+`","created":"`+timestamp+`","modified":"`+timestamp+`","is_family":"yes"}`, "")
		require.Len(t, fs, 1)
		require.Contains(t, fs[0].Message, "closest match fails at /is_family: got string, want boolean")
	})
	t.Run("numbers are said plainly", func(t *testing.T) {
		fs := checkObject(t, `{"type":"network-traffic","id":"network-traffic--`+uuid+`","protocols":["tcp"],"src_ref":"ipv4-addr--`+uuid+`","src_port":9999999}`, "")
		require.Len(t, fs, 1)
		require.Equal(t, "/src_port", fs[0].Pointer)
		require.Equal(t, "maximum: got 9999999, want 65535", fs[0].Message)
	})
	t.Run("not an object", func(t *testing.T) {
		fs := checkObject(t, `[1]`, "/objects/0")
		require.Len(t, fs, 1)
		require.Equal(t, "/objects/0", fs[0].Pointer)
	})
}

func TestCheckEnvelope(t *testing.T) {
	identity := `{"type":"identity","spec_version":"2.1","id":"identity--` + uuid + `","created":"` + timestamp + `","modified":"` + timestamp + `","name":"ACME"}`
	for _, tc := range []struct {
		name string
		doc  string
		want []schemas.Finding // nil: valid
	}{
		{"bundle", `{"type":"bundle","id":"bundle--` + uuid + `","objects":[` + identity + `]}`, nil},
		{"bundle without objects", `{"type":"bundle","id":"bundle--` + uuid + `"}`, nil},
		{"single object", identity, nil},
		{"bundle without id", `{"type":"bundle","objects":[` + identity + `]}`,
			[]schemas.Finding{{Object: -1, Rule: oasis.RuleSchema, Message: "missing property 'id'"}}},
		{"bundle id of another type", `{"type":"bundle","id":"identity--` + uuid + `","objects":[` + identity + `]}`,
			[]schemas.Finding{{Object: -1, Pointer: "/id", Rule: oasis.RuleSchema, Message: "'identity--" + uuid + "' does not match pattern '^bundle--'"}}},
		{"bundle id not a string", `{"type":"bundle","id":7,"objects":[` + identity + `]}`,
			[]schemas.Finding{{Object: -1, Pointer: "/id", Rule: oasis.RuleSchema, Message: "got number, want string"}}},
		{"empty objects", `{"type":"bundle","id":"bundle--` + uuid + `","objects":[]}`,
			[]schemas.Finding{{Object: -1, Pointer: "/objects", Rule: oasis.RuleSchema, Message: "minItems: got 0, want 1"}}},
		{"objects not an array", `{"type":"bundle","id":"bundle--` + uuid + `","objects":{}}`,
			[]schemas.Finding{{Object: -1, Pointer: "/objects", Rule: oasis.RuleSchema, Message: "got object, want array"}}},
		{"object in a bundle", `{"type":"bundle","id":"bundle--` + uuid + `","objects":[` + identity + `,{"type":"identity"}]}`,
			[]schemas.Finding{
				{Object: 1, Pointer: "/objects/1", Rule: oasis.RuleSchema, Message: "missing properties 'spec_version', 'id', 'created', 'modified'"},
				{Object: 1, Pointer: "/objects/1", Rule: oasis.RuleSchema, Message: "missing property 'name'"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, checker(t).Check([]byte(tc.doc)))
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		fs := checker(t).Check([]byte(`{"type":`))
		require.Len(t, fs, 1)
		require.Equal(t, "oasis.json", fs[0].Rule)
		require.True(t, strings.HasPrefix(fs[0].Message, "not well-formed JSON: "), fs[0].Message)
	})
}

// FuzzCheck feeds arbitrary documents to the checker: it must never panic
// and every finding must be one line with a pointer that is "" or starts
// with "/".
func FuzzCheck(f *testing.F) {
	for _, file := range append(corpusSeeds(f, "valid"), corpusSeeds(f, "invalid")...) {
		f.Add(file)
	}
	k := checker(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range k.Check(data) {
			if strings.Contains(fd.Message, "\n") {
				t.Fatalf("multi-line message: %q", fd.Message)
			}
			if fd.Pointer != "" && !strings.HasPrefix(fd.Pointer, "/") {
				t.Fatalf("bad pointer %q", fd.Pointer)
			}
		}
	})
}

// corpusSeeds are the small corpus files (the ATT&CK bundles would slow
// every fuzz iteration that mutates them).
func corpusSeeds(f *testing.F, which string) [][]byte {
	var seeds [][]byte
	for _, path := range stixtest.CorpusFiles(f, which) {
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		if len(data) <= 16<<10 {
			seeds = append(seeds, data)
		}
	}
	return seeds
}

// TestCheckConcurrent backs the claim that a Checker is safe for concurrent
// use (run with -race): goroutines check the small corpus files at once and
// must each get the same findings as a lone call.
func TestCheckConcurrent(t *testing.T) {
	k := checker(t)
	var docs [][]byte
	for _, path := range stixtest.CorpusFiles(t, "invalid") {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if len(data) <= 16<<10 {
			docs = append(docs, data)
		}
	}
	want := make([][]schemas.Finding, len(docs))
	for i, d := range docs {
		want[i] = k.Check(d)
	}
	got := make([][][]schemas.Finding, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() {
			for _, d := range docs {
				got[g] = append(got[g], k.Check(d))
			}
		})
	}
	wg.Wait()
	for g := range got {
		require.Equal(t, want, got[g])
	}
}
