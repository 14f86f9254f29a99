package requests_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// preservation is a complete preservation request (Art. 29(2)) about one
// IPv4 address, and the observable.
func preservation(t testing.TB) (map[string]any, map[string]any) {
	t.Helper()
	return requeststest.Preservation(t, "preservation", requeststest.LEAlpha, t0).Object(tlp.AmberStrict), requeststest.Observable(t)
}

func validate(t testing.TB, objs ...map[string]any) schemas.Report {
	t.Helper()
	b, err := requests.Bundle(objs...)
	require.NoError(t, err)
	_, rep := schemas.NewValidator(schemas.Options{}).Validate(b)
	return rep
}

// jsonSchema compiles docs/extensions/<name>.schema.json.
func jsonSchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(stixtest.RepoRoot(t), "docs", "extensions", name+".schema.json")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(path, doc))
	s, err := c.Compile(path)
	require.NoError(t, err)
	return s
}

// viaJSON is o as the generic JSON value the schema library checks.
func viaJSON(t testing.TB, o map[string]any) any {
	b, err := json.Marshal(o)
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	require.NoError(t, err)
	return v
}

// TestRequestTypesAreValidated: Geneva's request and response types are
// checked by the validator like any STIX type, and the published JSON
// schemas agree on what is valid and what is not.
func TestRequestTypesAreValidated(t *testing.T) {
	reqSchema, respSchema := jsonSchema(t, "geneva-request"), jsonSchema(t, "geneva-response")
	req, ip := preservation(t)
	rep := validate(t, req, ip)
	require.Empty(t, rep.Errors)
	require.Empty(t, rep.Warnings, "a defined type is not a custom one")
	require.NoError(t, reqSchema.Validate(viaJSON(t, req)))

	resp := requests.Response{ID: requests.NewID(schemas.TypeResponse), CreatedBy: requeststest.ISPTwo,
		Created: t0.Add(time.Hour), RequestRef: req["id"].(string), Status: requests.StatusFulfilled, PreservedUntil: t0.AddDate(0, 0, 90)}.Object(tlp.AmberStrict)
	rep = validate(t, resp)
	require.Empty(t, rep.Errors)
	require.NoError(t, respSchema.Validate(viaJSON(t, resp)))

	for name, tc := range map[string]struct {
		obj    func() map[string]any
		schema *jsonschema.Schema
		rule   string
	}{
		"no offence":               {func() map[string]any { o, _ := preservation(t); delete(o, "offence"); return o }, reqSchema, schemas.RulePropertyDepend},
		"no necessity":             {func() map[string]any { o, _ := preservation(t); delete(o, "necessity"); return o }, reqSchema, schemas.RulePropertyDepend},
		"no mutual assistance":     {func() map[string]any { o, _ := preservation(t); o["mutual_assistance_to_follow"] = false; return o }, reqSchema, schemas.RulePropertyValue},
		"30 days":                  {func() map[string]any { o, _ := preservation(t); o["preservation_days"] = 30; return o }, reqSchema, schemas.RulePropertyRange},
		"unknown kind":             {func() map[string]any { o, _ := preservation(t); o["request_kind"] = "arrest"; return o }, reqSchema, schemas.RuleVocabClosed},
		"no extension":             {func() map[string]any { o, _ := preservation(t); delete(o, "extensions"); return o }, reqSchema, schemas.RulePropertyRequired},
		"no legal basis":           {func() map[string]any { o, _ := preservation(t); delete(o, "legal_basis"); return o }, reqSchema, schemas.RulePropertyRequired},
		"no creator":               {func() map[string]any { o, _ := preservation(t); delete(o, "created_by_ref"); return o }, reqSchema, schemas.RulePropertyRequired},
		"jurisdiction not country": {func() map[string]any { o, _ := preservation(t); o["jurisdiction"] = "EU"; return o }, nil, schemas.RulePropertyValue},
		"observable not an SCO": {func() map[string]any {
			o, _ := preservation(t)
			o["observable_refs"] = []string{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}
			return o
		}, reqSchema, schemas.RuleRefType},
		"window reversed": {func() map[string]any {
			o, _ := preservation(t)
			o["window_start"], o["window_end"] = o["window_end"], o["window_start"]
			return o
		}, nil, schemas.RuleTimestampOrder},
		"declined without reason": {func() map[string]any {
			o := requests.Response{ID: requests.NewID(schemas.TypeResponse), CreatedBy: requeststest.LEAlpha, Created: t0, RequestRef: req["id"].(string), Status: requests.StatusDeclined}.Object(tlp.Red)
			return o
		}, respSchema, schemas.RulePropertyDepend},
	} {
		t.Run(name, func(t *testing.T) {
			o := tc.obj()
			rep := validate(t, o)
			var rules []string
			for _, f := range rep.Errors {
				rules = append(rules, f.Rule)
			}
			require.Contains(t, rules, tc.rule, "%+v", rep.Errors)
			if tc.schema != nil {
				require.Error(t, tc.schema.Validate(viaJSON(t, o)), "the published JSON schema must refuse it too")
			}
		})
	}
}

// TestPublishedExtensionDefinitionsAreValid: docs/extensions holds valid
// STIX 2.1 whose ids are the ones the validator knows.
func TestPublishedExtensionDefinitionsAreValid(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(stixtest.RepoRoot(t), "docs", "extensions", "geneva-extensions.json"))
	require.NoError(t, err)
	_, rep := schemas.NewValidator(schemas.Options{}).Validate(b)
	require.Empty(t, rep.Errors)
	for _, id := range []string{schemas.ExtensionRequest, schemas.ExtensionResponse, schemas.GenevaIdentity} {
		require.Contains(t, string(b), `"id": "`+id+`"`)
	}
}
