package classify_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/classify"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func parse(t testing.TB, s string) *fastjson.Value {
	t.Helper()
	v, err := fastjson.Parse(s)
	require.NoError(t, err)
	return v
}

func TestObjectWhere(t *testing.T) {
	g := guard(t, classify.Config{})
	cases := []struct {
		name, json string
		want       []classify.Finding
	}{
		{"name banner", `{"type":"indicator","name":"SECRET//NOFORN staging","pattern":"[url:value = 'x']"}`,
			[]classify.Finding{{Pointer: "/o/name", Scheme: "us", Kind: "banner"}}},
		{"pattern is an observable", `{"type":"indicator","name":"Lure","pattern":"[file:name = 'SECRET'] OR [file:name = 'TOP SECRET//NOFORN.docx'] OR [file:name = '(S) x']"}`, nil},
		{"pattern of another type is text", `{"type":"x-custom","pattern":"TOP SECRET"}`,
			[]classify.Finding{{Pointer: "/o/pattern", Scheme: "us", Kind: "banner"}}},
		{"label", `{"type":"report","labels":["phishing","secret"]}`,
			[]classify.Finding{{Pointer: "/o/labels/1", Scheme: "us", Kind: "label"}}},
		{"label taxonomy short form", `{"type":"report","labels":["nato:classification=\"NS\""]}`,
			[]classify.Finding{{Pointer: "/o/labels/0", Scheme: "nato", Kind: "label"}}},
		{"label taxonomy de", `{"type":"report","labels":["de-vs:einstufung=\"VS-NUR-FUER-DEN-DIENSTGEBRAUCH\""]}`,
			[]classify.Finding{{Pointer: "/o/labels/0", Scheme: "de", Kind: "label"}}},
		{"label taxonomy fr", `{"type":"report","labels":["fr-classif:classifiees-defense=\"SECRET-DEFENSE\""]}`,
			[]classify.Finding{{Pointer: "/o/labels/0", Scheme: "fr", Kind: "label"}}},
		{"label short form without classification namespace", `{"type":"report","labels":["size:S","tlp:amber","grade:c"]}`, nil},
		{"opencti labels", `{"type":"report","x_opencti_labels":["TOP SECRET"]}`,
			[]classify.Finding{{Pointer: "/o/x_opencti_labels/0", Scheme: "us", Kind: "label"}}},
		{"custom property", `{"type":"report","x_classification":"SECRET"}`,
			[]classify.Finding{{Pointer: "/o/x_classification", Scheme: "us", Kind: "property"}}},
		{"custom property short", `{"type":"report","x_classification":"TS"}`,
			[]classify.Finding{{Pointer: "/o/x_classification", Scheme: "us", Kind: "property"}}},
		{"custom property short with caveat", `{"type":"report","x_acme_classification_level":"S//NF"}`,
			[]classify.Finding{{Pointer: "/o/x_acme_classification_level", Scheme: "us", Kind: "property"}}},
		{"custom property C", `{"type":"report","x_security_level":"C"}`,
			[]classify.Finding{{Pointer: "/o/x_security_level", Scheme: "us", Kind: "property"}}},
		{"custom property nato short", `{"type":"report","x_nato_marking":"NR"}`,
			[]classify.Finding{{Pointer: "/o/x_nato_marking", Scheme: "nato", Kind: "property"}}},
		{"custom property nested", `{"type":"report","x_meta":{"classification":{"level":"(S)"}}}`,
			[]classify.Finding{{Pointer: "/o/x_meta/classification/level", Scheme: "us", Kind: "property"}}},
		{"custom property array", `{"type":"report","x_classifications":["U","S"]}`,
			[]classify.Finding{{Pointer: "/o/x_classifications/1", Scheme: "us", Kind: "property"}}},
		{"unclassified property", `{"type":"report","x_classification":"UNCLASSIFIED","x_classification_short":"U","x_sensitivity":"low"}`, nil},
		{"short value in an ordinary property", `{"type":"report","x_size":"S","x_grade":"C","x_tier":"TS"}`, nil},
		{"member name banner", `{"type":"report","x_notes":{"TOP SECRET//SI":"x"}}`,
			[]classify.Finding{{Pointer: "/o/x_notes/TOP SECRET~1~1SI", Scheme: "us", Kind: "property"}}},
		{"description portion mark", `{"type":"note","content":"(U) Summary.\n\n(S//NF) Detail."}`,
			[]classify.Finding{{Pointer: "/o/content", Scheme: "us", Kind: "portion-mark"}}},
		{"opinion explanation", `{"type":"opinion","opinion":"agree","explanation":"NATO CONFIDENTIAL"}`,
			[]classify.Finding{{Pointer: "/o/explanation", Scheme: "nato", Kind: "banner"}}},
		{"external reference description", `{"type":"malware","external_references":[{"source_name":"a","description":"ok"},{"source_name":"b","description":"RESTREINT UE/EU RESTRICTED"}]}`,
			[]classify.Finding{{Pointer: "/o/external_references/1/description", Scheme: "eu", Kind: "banner"}}},
		{"extension string", `{"type":"malware","extensions":{"extension-definition--a":{"extension_type":"property-extension","x":{"y":["fine","STRENG GEHEIM"]}}}}`,
			[]classify.Finding{{Pointer: "/o/extensions/extension-definition--a/x/y/1", Scheme: "de", Kind: "banner"}}},
		{"report text", `{"type":"report","name":"Q3","description":"CONFIDENTIEL DÉFENSE\nRapport."}`,
			[]classify.Finding{{Pointer: "/o/description", Scheme: "fr", Kind: "banner"}}},
		{"two places", `{"type":"report","name":"SECRET","description":"(TS) x"}`,
			[]classify.Finding{{Pointer: "/o/name", Scheme: "us", Kind: "banner"}, {Pointer: "/o/description", Scheme: "us", Kind: "portion-mark"}}},
		{"marking definition statement", `{"type":"marking-definition","definition_type":"statement","definition":{"statement":"SECRET"}}`,
			[]classify.Finding{{Pointer: "/o/definition/statement", Scheme: "us", Kind: "statement"}}},
		{"classification marking definition", `{"type":"marking-definition","definition_type":"classification","definition":{"level":"S"}}`,
			[]classify.Finding{{Pointer: "/o/definition/level", Scheme: "us", Kind: "property"}}},
		{"opencti classification marking", `{"type":"marking-definition","definition_type":"statement","definition":{"statement":"custom"},"x_opencti_definition_type":"Classification","x_opencti_definition":"NR"}`,
			[]classify.Finding{{Pointer: "/o/x_opencti_definition", Scheme: "nato", Kind: "property"}}},
		{"opencti tlp marking", `{"type":"marking-definition","definition_type":"statement","definition":{"statement":"custom"},"x_opencti_definition_type":"TLP","x_opencti_definition":"TLP:AMBER+STRICT","name":"TLP:AMBER+STRICT"}`, nil},
		{"benign prose everywhere", `{"type":"threat-actor","name":"Secret Blizzard","description":"A confidential source says the Secret Service tracks file(s) in a restricted area.","labels":["espionage"],"x_classification":"U"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := g.Object(parse(t, c.json), "/o")
			require.Equal(t, c.want, got)
		})
	}
}

func TestMarkingDefinitionACS(t *testing.T) {
	g := guard(t, classify.Config{})
	const ptr = "/m/extensions/extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce/control_set/classification"
	for value, classified := range map[string]bool{`"U"`: false, `"C"`: true, `"S"`: true, `"TS"`: true, `"X"`: true, `"s"`: true, `["S"]`: true, `3`: true} {
		md := parse(t, `{"type":"marking-definition","extensions":{"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce":{"extension_type":"property-extension","control_set":{"classification":`+value+`}}}}`)
		got := g.MarkingDefinition(md, "/m")
		if !classified {
			require.Empty(t, got, value)
			require.Empty(t, g.Object(md, "/m"), value)
			continue
		}
		require.Equal(t, []classify.Finding{{Pointer: ptr, Scheme: "acs", Kind: "acs"}}, got, value)
		require.Equal(t, got, g.Object(md, "/m"), value) // Object reports it once
	}
	noACS := guard(t, classify.Config{Schemes: []string{"us"}})
	md := parse(t, `{"type":"marking-definition","extensions":{"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce":{"control_set":{"classification":"TS"}}}}`)
	require.Empty(t, noACS.MarkingDefinition(md, ""))
}

func TestMarkingDefinitionStatements(t *testing.T) {
	g := guard(t, classify.Config{})
	for _, s := range []string{"SECRET", "NATO RESTRICTED", "CONFIDENTIEL UE/EU CONFIDENTIAL", "TOP SECRET//SI//NOFORN",
		"Classification: TS", "VS-NfD", "SECRET\nHandle via approved channels only."} {
		md := parse(t, `{"type":"marking-definition","definition_type":"statement","definition":{"statement":`+quote(s)+`}}`)
		got := g.MarkingDefinition(md, "/objects/1")
		require.Len(t, got, 1, s)
		require.Equal(t, "/objects/1/definition/statement", got[0].Pointer)
		require.Equal(t, "statement", got[0].Kind)
	}
	for _, s := range []string{"Copyright 2017, The MITRE Corporation", "Copyright (C) 2020 ACME", "custom",
		"This information is confidential to the partnership.", "TLP:AMBER", "(c) 2019 Example Corp"} {
		md := parse(t, `{"type":"marking-definition","definition_type":"statement","definition":{"statement":`+quote(s)+`}}`)
		require.Empty(t, g.MarkingDefinition(md, ""), s)
	}
}

// Every classified-* policy case is caught, at the right place; every
// other case (benign-* included) passes untouched.
func TestPolicyCases(t *testing.T) {
	g := guard(t, classify.Config{})
	want := map[string]classify.Finding{
		"classified-secret-statement.json": {Pointer: "/objects/1/definition/statement", Scheme: "us", Kind: "statement"},
		"classified-nato-restricted.json":  {Pointer: "/objects/1/definition/statement", Scheme: "nato", Kind: "statement"},
		"classified-eu-confidential.json":  {Pointer: "/objects/1/definition/statement", Scheme: "eu", Kind: "statement"},
		"classified-banner-name.json":      {Pointer: "/objects/1/name", Scheme: "us", Kind: "banner"},
		"classified-portion-mark.json":     {Pointer: "/objects/1/description", Scheme: "us", Kind: "portion-mark"},
		"classified-acs-secret.json":       {Pointer: "/objects/1/extensions/extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce/control_set/classification", Scheme: "acs", Kind: "acs"},
	}
	files, err := filepath.Glob(filepath.Join(stixtest.SharedDir(t), "policy-cases", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 26)
	for _, file := range files {
		name := filepath.Base(file)
		var got []classify.Finding
		var viaMD []classify.Finding
		for i, obj := range objects(t, file) {
			ptr := "/objects/" + strconv.Itoa(i)
			got = append(got, g.Object(obj, ptr)...)
			if string(obj.GetStringBytes("type")) == "marking-definition" {
				viaMD = append(viaMD, g.MarkingDefinition(obj, ptr)...)
			}
		}
		f, classified := want[name]
		if !classified {
			require.Empty(t, got, name)
			require.Empty(t, viaMD, name)
			continue
		}
		require.Equal(t, []classify.Finding{f}, got, name)
		if f.Kind == "statement" || f.Kind == "acs" {
			require.Equal(t, []classify.Finding{f}, viaMD, name)
		}
	}
	for name := range want {
		require.FileExists(t, filepath.Join(stixtest.SharedDir(t), "policy-cases", name))
	}
}

// Precision on real content: nothing in the valid corpus (ATT&CK, MISP,
// OpenCTI, OASIS examples) is classified, except the ISA ACS use case 1
// marking, which is TOP SECRET by its own content.
func TestCorpusPrecision(t *testing.T) {
	g := guard(t, classify.Config{})
	acsTS := classify.Finding{Pointer: "/extensions/extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce/control_set/classification", Scheme: "acs", Kind: "acs"}
	strings_ := 0
	for _, file := range append(stixtest.CorpusFiles(t, "valid"), stixtest.CorpusFiles(t, "invalid")...) {
		for i, obj := range objects(t, file) {
			for _, f := range g.Object(obj, "") {
				if string(obj.GetStringBytes("id")) == "marking-definition--20864905-06a0-47be-a04c-2164af17d635" && f == acsTS {
					continue
				}
				t.Errorf("%s object %d: unexpected finding %+v", filepath.Base(file), i, f)
			}
			strings_++
		}
	}
	require.Greater(t, strings_, 1000)
}

func TestConfig(t *testing.T) {
	_, err := classify.New(classify.Config{Schemes: []string{"us", "mars"}})
	require.ErrorContains(t, err, "schemes[1]")
	_, err = classify.New(classify.Config{ExtraTerms: []string{"CUI", "  "}})
	require.ErrorContains(t, err, "extra_terms[1]")
	_, err = classify.New(classify.Config{ExtraTerms: []string{"A\nB"}})
	require.ErrorContains(t, err, "extra_terms[0]")

	// Only the schemes asked for.
	de := guard(t, classify.Config{Schemes: []string{"de"}})
	require.Empty(t, de.Text("NATO SECRET", ""))
	require.NotEmpty(t, de.Text("GEHEIM", ""))
	fr := guard(t, classify.Config{Schemes: []string{"fr"}})
	f := fr.Text("SECRET", "")
	require.Len(t, f, 1)
	require.Equal(t, "fr", f[0].Scheme) // SECRET is also French
	require.Empty(t, fr.Text("(S) text", ""))

	// Extra terms behave like built-in levels, canonically.
	x := guard(t, classify.Config{Schemes: []string{"us"}, ExtraTerms: []string{"OFFICIAL-SENSITIVE", "Företagshemligt", "CUI"}})
	for _, s := range []string{"OFFICIAL-SENSITIVE", "official sensitive", "OFFICIAL_SENSITIVE", "OFFICIAL-SENSITIVE//PERSONAL",
		"FÖRETAGSHEMLIGT", "foretagshemligt", "CUI", "CUI//SP-PRVCY", "(CUI) text", "ＣＵＩ"} {
		f := x.Text(s, "")
		require.Len(t, f, 1, s)
		require.Equal(t, "extra", f[0].Scheme, s)
	}
	for _, s := range []string{"OFFICIAL", "official sensitive data was stolen", "The CUI program"} {
		require.Empty(t, x.Text(s, ""), s)
	}
	require.Len(t, classify.Schemes(), 7)
}

func objects(t testing.TB, file string) []*fastjson.Value {
	t.Helper()
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	root, err := fastjson.ParseBytes(raw)
	if err != nil {
		return nil // malformed-json corpus file
	}
	if objs := root.GetArray("objects"); objs != nil {
		return objs
	}
	return []*fastjson.Value{root}
}

func quote(s string) string {
	var a fastjson.Arena
	return a.NewString(s).String()
}

func TestObjectEdges(t *testing.T) {
	g := guard(t, classify.Config{})
	require.Nil(t, g.Object(nil, ""))
	require.Nil(t, g.MarkingDefinition(nil, ""))
	require.Nil(t, g.Object(parse(t, `"SECRET"`), "")) // not an object: nothing to walk
	// Member names with '~' and '/' are escaped in pointers (RFC 6901).
	got := g.Object(parse(t, `{"type":"x","a/b~c":{"x_classification":"S"}}`), "/objects/0")
	require.Equal(t, []classify.Finding{{Pointer: "/objects/0/a~1b~0c/x_classification", Scheme: "us", Kind: "property"}}, got)
	// Invalid UTF-8 around a banner still matches; garbage alone does not.
	require.Len(t, g.Text("\xff\xfeSECRET\xff", ""), 0) // not a whole line: bytes around it
	require.Len(t, g.Text("\xff\nSECRET\n\xfe", ""), 1)
	require.Empty(t, g.Text("\xff\xfe\xfd", ""))
	// A marking deep in a long text is found; a long benign text passes.
	long := strings.Repeat("The actor used the Secret Service lure again. ", 20000)
	require.Empty(t, g.Text(long, ""))
	require.Len(t, g.Text(long+"\n(S//NF) tail", ""), 1)
	// Findings never carry the text.
	f := g.Object(parse(t, `{"type":"note","content":"TOP SECRET//SI codeword BLUEFISH"}`), "")
	require.Len(t, f, 1)
	require.NotContains(t, f[0].Pointer+f[0].Scheme+f[0].Kind, "BLUEFISH")
	// One guard, many goroutines (each with its own parsed value: fastjson
	// values are not safe for concurrent reads).
	done := make(chan []classify.Finding)
	for range 8 {
		obj := parse(t, `{"type":"report","name":"SECRET","description":"fine"}`)
		go func() { done <- g.Object(obj, "/o") }()
	}
	for range 8 {
		require.Equal(t, []classify.Finding{{Pointer: "/o/name", Scheme: "us", Kind: "banner"}}, <-done)
	}
}
