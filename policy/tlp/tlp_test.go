package tlp_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func TestLevelOfIDEveryKnownID(t *testing.T) {
	want := map[string]tlp.Level{
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": tlp.Clear, // TLP 1.0 WHITE
		"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": tlp.Green,
		"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": tlp.Amber, // never AMBER+STRICT
		"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": tlp.Red,
		"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": tlp.Clear,
		"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": tlp.Green,
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": tlp.Amber,
		"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": tlp.AmberStrict,
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": tlp.Red,
		"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37": tlp.AmberStrict, // OpenCTI
	}
	require.ElementsMatch(t, keys(want), tlp.KnownIDs())
	for id, l := range want {
		got, ok := tlp.LevelOfID(id)
		require.True(t, ok, id)
		require.Equal(t, l, got, id)
	}
	for _, id := range []string{"", "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168",
		"MARKING-DEFINITION--34098FCE-860F-48AE-8E50-EBD3CC5E41DA", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"} {
		_, ok := tlp.LevelOfID(id)
		require.False(t, ok, id)
	}
}

func TestParseLevel(t *testing.T) {
	good := map[string]tlp.Level{
		"TLP:AMBER+STRICT": tlp.AmberStrict, "amber+strict": tlp.AmberStrict, "Amber Strict": tlp.AmberStrict,
		"white": tlp.Clear, "TLP:WHITE": tlp.Clear, "clear": tlp.Clear, " TLP: CLEAR ": tlp.Clear,
		"GREEN": tlp.Green, "tlp:green": tlp.Green, "TLP GREEN": tlp.Green, "amber": tlp.Amber, "TLP:RED": tlp.Red,
	}
	for in, want := range good {
		got, err := tlp.ParseLevel(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "none", "TLP:", "TLP:BLACK", "amber+", "strict", "redd", "TLP:AMBER+STRICTER", "tlpred"} {
		_, err := tlp.ParseLevel(in)
		require.Error(t, err, in)
	}
}

func TestTextRoundTrip(t *testing.T) {
	for l := tlp.None; l <= tlp.Red; l++ {
		b, err := l.MarshalText()
		require.NoError(t, err)
		require.Equal(t, l.String(), string(b))
		var back tlp.Level
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, l, back)
	}
	_, err := tlp.Level(42).MarshalText()
	require.Error(t, err)
	var l tlp.Level
	require.Error(t, l.UnmarshalText([]byte("purple")))
	require.NoError(t, l.UnmarshalText([]byte("TLP:WHITE")))
	require.Equal(t, tlp.Clear, l)
}

func TestMaxAndOrder(t *testing.T) {
	order := []tlp.Level{tlp.None, tlp.Clear, tlp.Green, tlp.Amber, tlp.AmberStrict, tlp.Red}
	for i, a := range order {
		for j, b := range order {
			want := a
			if j > i {
				want = b
			}
			require.Equal(t, want, tlp.Max(a, b), "%s %s", a, b)
			require.Equal(t, j < i, a.MoreRestrictive(b))
		}
	}
	require.True(t, tlp.Red.NamedRecipientsOnly())
	require.True(t, tlp.AmberStrict.NamedRecipientsOnly())
	require.False(t, tlp.Amber.NamedRecipientsOnly())
	require.False(t, tlp.Red.Archivable())
	require.True(t, tlp.AmberStrict.Archivable())
	require.Equal(t, "TLP:AMBER+STRICT", tlp.AmberStrict.Label())
}

func TestDefinitionIsCanonicalAndReadsBack(t *testing.T) {
	require.Nil(t, tlp.Definition(tlp.None))
	for l := tlp.Clear; l <= tlp.Red; l++ {
		md := parse(t, string(tlp.Definition(l)))
		got, ok, err := tlp.FromDefinition(md)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, l, got)
		require.Equal(t, tlp.ID(l), string(md.GetStringBytes("id")))
	}
	// Byte-for-byte the object published in cti-stix-common-objects (our
	// corpus copies), once both are compacted.
	for name, l := range map[string]tlp.Level{"clear": tlp.Clear, "green": tlp.Green, "amber": tlp.Amber, "red": tlp.Red} {
		raw, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "corpus", "valid", "common-objects-tlp2-"+name+".json"))
		require.NoError(t, err)
		published := parse(t, string(raw)).Get("objects", "0")
		require.JSONEq(t, published.String(), string(tlp.Definition(l)), name)
	}
	// AMBER+STRICT as MISP exports it, identical to the OASIS example.
	for _, md := range markingDefinitions(t, filepath.Join(stixtest.SharedDir(t), "corpus", "valid", "misp-stix-internal-tlp-2-0-bundle.json")) {
		if string(md.GetStringBytes("id")) == tlp.IDTLP2AmberStrict {
			require.JSONEq(t, md.String(), string(tlp.Definition(tlp.AmberStrict)))
			return
		}
	}
	t.Fatal("AMBER+STRICT not found in misp-stix-internal-tlp-2-0-bundle.json")
}

func TestFromDefinitionForms(t *testing.T) {
	cases := []struct {
		name, json string
		want       tlp.Level
		isTLP      bool
		err        bool
	}{
		{"tlp1 green", `{"type":"marking-definition","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"green"}}`, tlp.Green, true, false},
		{"tlp1 white is clear", `{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`, tlp.Clear, true, false},
		{"tlp1 amber is amber", `{"type":"marking-definition","id":"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82","definition_type":"tlp","name":"TLP:AMBER","definition":{"tlp":"amber"}}`, tlp.Amber, true, false},
		{"tlp1 amber id claiming strict", `{"type":"marking-definition","id":"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82","definition_type":"tlp","definition":{"tlp":"amber+strict"}}`, tlp.None, false, true},
		{"tlp2 amber+strict", `{"type":"marking-definition","id":"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003","name":"TLP:AMBER+STRICT","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}}}`, tlp.AmberStrict, true, false},
		{"tlp2 form under a custom id", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000001","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"red"}}}`, tlp.Red, true, false},
		{"opencti statement form", `{"type":"marking-definition","id":"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37","definition_type":"statement","name":"TLP:AMBER+STRICT","definition":{"statement":"custom"},"x_opencti_definition_type":"TLP","x_opencti_definition":"TLP:AMBER+STRICT"}`, tlp.AmberStrict, true, false},
		{"opencti export form", `{"type":"marking-definition","id":"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37","definition_type":"TLP","name":"TLP:AMBER+STRICT","extensions":{"extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba":{"extension_type":"property-extension","order":3,"color":"#d84315"}}}`, tlp.AmberStrict, true, false},
		{"opencti old export form", `{"type":"marking-definition","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"GREEN"}}`, tlp.Green, true, false},
		{"opencti clear on the white id", `{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition_type":"TLP","name":"TLP:CLEAR"}`, tlp.Clear, true, false},
		{"opencti strict id saying amber", `{"type":"marking-definition","id":"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37","definition_type":"statement","definition":{"statement":"custom"},"x_opencti_definition_type":"TLP","x_opencti_definition":"TLP:AMBER"}`, tlp.None, false, true},
		{"statement", `{"type":"marking-definition","id":"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168","definition_type":"statement","definition":{"statement":"Copyright 2017, The MITRE Corporation"}}`, tlp.None, false, false},
		{"acs", `{"type":"marking-definition","id":"marking-definition--20864905-06a0-47be-a04c-2164af17d635","extensions":{"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce":{"extension_type":"property-extension","control_set":{"classification":"U"}}}}`, tlp.None, false, false},
		{"known id with copyright", `{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition_type":"statement","definition":{"statement":"Copyright 2016, Example Corp"}}`, tlp.None, false, true},
		{"known id, only a name", `{"type":"marking-definition","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","name":"TLP:GREEN"}`, tlp.None, false, true},
		{"known green id defining red", `{"type":"marking-definition","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","definition_type":"tlp","definition":{"tlp":"red"}}`, tlp.None, false, true},
		{"tlp2 id defining tlp1 other level", `{"type":"marking-definition","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","definition_type":"tlp","definition":{"tlp":"amber"}}`, tlp.None, false, true},
		{"forms disagree", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000002","definition_type":"tlp","definition":{"tlp":"green"},"extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"tlp_2_0":"red"}}}`, tlp.None, false, true},
		{"forms agree", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000003","definition_type":"tlp","definition":{"tlp":"red"},"extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"tlp_2_0":"red"}}}`, tlp.Red, true, false},
		{"name disagrees", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000004","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"red"}}`, tlp.None, false, true},
		{"name TLP on a statement", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000005","definition_type":"statement","name":"TLP:RED","definition":{"statement":"do not share"}}`, tlp.None, false, true},
		{"tlp black", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000006","definition_type":"TLP","name":"TLP:BLACK"}`, tlp.None, false, true},
		{"tlp without level", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000007","definition_type":"tlp","definition":{}}`, tlp.None, false, true},
		{"tlp level not a string", `{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000008","definition_type":"tlp","definition":{"tlp":3}}`, tlp.None, false, true},
		{"definition not an object", `{"type":"marking-definition","definition_type":"tlp","definition":"green"}`, tlp.None, false, true},
		{"tlp2 extension without level", `{"type":"marking-definition","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension"}}}`, tlp.None, false, true},
		{"tlp2 extension unknown level", `{"type":"marking-definition","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"tlp_2_0":"purple"}}}`, tlp.None, false, true},
		{"opencti without definition", `{"type":"marking-definition","x_opencti_definition_type":"TLP"}`, tlp.None, false, true},
		{"definition_type not a string", `{"type":"marking-definition","definition_type":7}`, tlp.None, false, true},
		{"not a marking definition", `{"type":"indicator","definition_type":"tlp","definition":{"tlp":"green"}}`, tlp.None, false, true},
		{"not an object", `["marking-definition"]`, tlp.None, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := tlp.FromDefinition(parse(t, c.json))
			if c.err {
				require.Error(t, err)
				require.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.isTLP, ok)
			require.Equal(t, c.want, got)
		})
	}
	_, _, err := tlp.FromDefinition(nil)
	require.Error(t, err)
}

// Every marking definition in the corpus gets the answer its id calls for;
// a new marking in the corpus must be added here.
func TestFromDefinitionCorpus(t *testing.T) {
	notTLP := map[string]bool{
		"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168": true, // MITRE ATT&CK copyright
		"marking-definition--3cd55916-d34b-4747-a8e0-dedec14b711b": true, // MITRE copyright
		"marking-definition--20864905-06a0-47be-a04c-2164af17d635": true, // ISA ACS 3.0, TS
		"marking-definition--6010b3f4-a603-4d3b-9098-8708cdbe151b": true, // ISA ACS 3.0, U
		"marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd": true, // Example Corp copyright
	}
	seen := 0
	for _, file := range stixtest.CorpusFiles(t, "valid") {
		for _, md := range markingDefinitions(t, file) {
			id := string(md.GetStringBytes("id"))
			got, ok, err := tlp.FromDefinition(md)
			require.NoError(t, err, "%s %s", filepath.Base(file), id)
			want, known := tlp.LevelOfID(id)
			switch {
			case known:
				require.True(t, ok, id)
				require.Equal(t, want, got, id)
			case notTLP[id]:
				require.False(t, ok, id)
			default:
				t.Fatalf("%s: marking %s is new to this test: add its expected answer", filepath.Base(file), id)
			}
			seen++
		}
	}
	require.GreaterOrEqual(t, seen, 20)

	// The invalid corpus holds predefined TLP ids reused for other content:
	// each must be a conflict.
	conflicts := []string{
		"python-stix2-test-markings-expected-statement-marking-definition.json",
		"validator-marking-definition-marking-definition-with-extension-1.json",
		"validator-marking-definition-marking-definition-with-extension-2.json",
	}
	for _, name := range conflicts {
		file := filepath.Join(stixtest.SharedDir(t), "corpus", "invalid", name)
		mds := markingDefinitions(t, file)
		require.Len(t, mds, 1, name)
		_, _, err := tlp.FromDefinition(mds[0])
		require.Error(t, err, name)
	}
}

func TestPolicyCases(t *testing.T) {
	want := map[string]tlp.Level{
		"green-tlp1-to-all.json": tlp.Green, "green-tlp2-to-all.json": tlp.Green, "clear-to-all.json": tlp.Clear,
		"amber-to-all.json": tlp.Amber, "amber-strict-named.json": tlp.AmberStrict, "red-named.json": tlp.Red,
		"red-tlp1-named.json": tlp.Red, "opencti-amber-strict-id.json": tlp.AmberStrict,
	}
	for name, l := range want {
		mds := markingDefinitions(t, filepath.Join(stixtest.SharedDir(t), "policy-cases", name))
		require.NotEmpty(t, mds, name)
		for _, md := range mds {
			got, ok, err := tlp.FromDefinition(md)
			require.NoError(t, err, name)
			require.True(t, ok, name)
			require.Equal(t, l, got, name)
		}
	}
}

func markingDefinitions(t *testing.T, file string) []*fastjson.Value {
	t.Helper()
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	root, err := fastjson.ParseBytes(raw)
	if err != nil {
		return nil
	}
	objs := root.GetArray("objects")
	if objs == nil {
		objs = []*fastjson.Value{root}
	}
	var out []*fastjson.Value
	for _, o := range objs {
		if string(o.GetStringBytes("type")) == "marking-definition" {
			out = append(out, o)
		}
	}
	return out
}

func parse(t *testing.T, s string) *fastjson.Value {
	t.Helper()
	v, err := fastjson.Parse(s)
	require.NoError(t, err)
	return v
}

func keys(m map[string]tlp.Level) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPermits(t *testing.T) {
	want := map[tlp.Level][]tlp.Audience{
		tlp.None:        nil,
		tlp.Clear:       {tlp.Named, tlp.Community, tlp.Partnership, tlp.Public},
		tlp.Green:       {tlp.Named, tlp.Community, tlp.Partnership},
		tlp.Amber:       {tlp.Named, tlp.Community, tlp.Partnership},
		tlp.AmberStrict: {tlp.Named},
		tlp.Red:         {tlp.Named},
		tlp.Level(9):    nil,
	}
	for l, allowed := range want {
		for a := tlp.Audience(0); a <= tlp.Public+1; a++ {
			require.Equal(t, slices.Contains(allowed, a), l.Permits(a), "%s %d", l, a)
		}
	}
}
