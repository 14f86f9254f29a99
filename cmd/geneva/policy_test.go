package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas/stixtest"
)

func policyCase(t *testing.T, name string) string {
	return filepath.Join(stixtest.SharedDir(t), "policy-cases", name)
}

func TestPolicyExplainExitCodes(t *testing.T) {
	dir := t.TempDir()
	stateConduct := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(stateConduct, []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[
		{"type":"threat-actor","spec_version":"2.1","id":"threat-actor--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Example Bear","threat_actor_types":["nation-state"],"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}]}`), 0o644))
	for name, tc := range map[string]struct {
		args []string
		code int
	}{
		"accept":            {[]string{"--as", "bank-one", policyCase(t, "green-tlp1-to-all.json")}, 0},
		"partial":           {[]string{"--as", "bank-one", policyCase(t, "mixed-green-unmarked.json")}, 0},
		"reject":            {[]string{"--as", "bank-one", policyCase(t, "red-no-recipients.json")}, 3},
		"review":            {[]string{"--as", "cert-three", stateConduct}, 4},
		"named recipients":  {[]string{"--as", "bank-one", "--to", "le-alpha,cert-three", policyCase(t, "amber-strict-named.json")}, 0},
		"community":         {[]string{"--as", "le-alpha", "--community", "le", policyCase(t, "green-to-community-le.json")}, 0},
		"missing --as":      {[]string{policyCase(t, "green-tlp1-to-all.json")}, 2},
		"bad --output":      {[]string{"--as", "bank-one", "--output", "xml", policyCase(t, "green-tlp1-to-all.json")}, 2},
		"missing file":      {[]string{"--as", "bank-one", filepath.Join(dir, "nope.json")}, 2},
		"no file argument":  {[]string{"--as", "bank-one"}, 2},
		"unknown flag":      {[]string{"--as", "bank-one", "--bogus", policyCase(t, "green-tlp1-to-all.json")}, 2},
		"broken --policy":   {[]string{"--policy", stateConduct, "--as", "bank-one", policyCase(t, "green-tlp1-to-all.json")}, 2},
		"missing --policy":  {[]string{"--policy", filepath.Join(dir, "nope.yaml"), "--as", "bank-one", policyCase(t, "green-tlp1-to-all.json")}, 2},
		"the demo --policy": {[]string{"--policy", filepath.Join(stixtest.RepoRoot(t), "docs", "demo-mou.yaml"), "--as", "bank-one", policyCase(t, "green-tlp1-to-all.json")}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCLI(t, append([]string{"policy", "explain"}, tc.args...)...)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			if name == "broken --policy" {
				require.Contains(t, errOut, "state.json:1: type: unknown field")
			} else if tc.code == 2 {
				require.NotEmpty(t, errOut, "a usage error says what is wrong")
				require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
			}
		})
	}
}

func TestPolicyExplainJSON(t *testing.T) {
	out, _, code := runCLI(t, "policy", "explain", "--as", "bank-one", "--output", "json", policyCase(t, "mixed-green-unmarked.json"))
	require.Equal(t, 0, code)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.ElementsMatch(t, []string{"verdict", "policy_version", "reasons", "objects"}, keys(got))
	require.JSONEq(t, `"partial"`, string(got["verdict"]))
	require.JSONEq(t, `"demo-2026.1"`, string(got["policy_version"]))
	require.JSONEq(t, `[]`, string(got["reasons"]), "arrays are never null")
	var objects []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got["objects"], &objects))
	require.Len(t, objects, 3)
	for _, o := range objects {
		require.ElementsMatch(t, []string{"id", "tlp", "audience", "archive", "reasons"}, keys(o))
		require.NotEqual(t, "null", string(o["audience"]))
		require.NotEqual(t, "null", string(o["reasons"]))
	}
	require.JSONEq(t, `{"id":"indicator--fafea2f9-79ac-5fd9-ba24-fc59c0ef63b0","tlp":"green","audience":["cert-three","isp-two","le-alpha","le-bravo"],"archive":true,"reasons":[]}`, mustJSON(t, objects[1]))
	require.JSONEq(t, `{"id":"indicator--0781e50c-1c5e-513e-8c90-755a843503b8","tlp":"none","audience":[],"archive":false,
		"reasons":[{"code":"tlp.unmarked","pointer":"/objects/2","message":"the object has no TLP marking and the MoU rejects unmarked content"}]}`, mustJSON(t, objects[2]))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestPolicyExplainText(t *testing.T) {
	bundle, err := os.ReadFile(policyCase(t, "mixed-green-unmarked.json"))
	require.NoError(t, err)
	out, _, code := runCLIWithStdin(t, bytes.NewReader(bundle), "policy", "explain", "--as", "bank-one", "-")
	require.Equal(t, 0, code)
	for _, want := range []string{
		"verdict: PARTIAL",
		"TLP:GREEN to every member but the sender (cert-three, isp-two, le-alpha, le-bravo), archived:",
		"    indicator--fafea2f9-79ac-5fd9-ba24-fc59c0ef63b0",
		"not shared:\n  indicator--0781e50c-1c5e-513e-8c90-755a843503b8\n    tlp.unmarked: the object has no TLP marking and the MoU rejects unmarked content (at /objects/2)",
	} {
		require.Contains(t, out, want)
	}

	out, _, code = runCLI(t, "policy", "explain", "--as", "bank-one", policyCase(t, "classified-banner-name.json"))
	require.Equal(t, 3, code)
	require.Contains(t, out, "CLASSIFIED MATERIAL")
	require.NotContains(t, out, "REL TO", "never echo the classified text")

	out, _, code = runCLI(t, "policy", "explain", "--as", "bank-one", "--to", "le-bravo", policyCase(t, "red-tlp1-named.json"))
	require.Equal(t, 0, code)
	require.Contains(t, out, "TLP:RED to le-bravo, never archived:")
}

func TestPolicyCheck(t *testing.T) {
	out, _, code := runCLI(t, "policy", "check", filepath.Join(stixtest.RepoRoot(t), "docs", "demo-mou.yaml"))
	require.Equal(t, 0, code)
	require.Contains(t, out, `valid MoU "Geneva demo partnership" version demo-2026.1: 5 members, 2 communities`)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("partnership:\n  name: x\n  version: 1\nmembers:\n  - id: Q\n"), 0o644))
	_, errOut, code := runCLI(t, "policy", "check", bad)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, bad+":5: members[0].id: \"Q\" is not a valid member id")
	require.Contains(t, errOut, bad+":5: members[0].type:")
	require.Greater(t, strings.Count(errOut, "\n"), 3, "every problem at once")

	_, _, code = runCLI(t, "policy", "check", filepath.Join(t.TempDir(), "missing.yaml"))
	require.Equal(t, 2, code)

	// A device is refused in one line, not read until memory runs out.
	_, errOut, code = runCLI(t, "policy", "check", "/dev/zero")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "/dev/zero: not a regular file")
	require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, errOut)
}

func TestPolicyHelpHasExamples(t *testing.T) {
	out, _, code := runCLI(t, "policy", "explain", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "Examples:")
	require.Contains(t, out, "geneva policy explain --as bank-one bundle.json")
	require.Contains(t, out, "3 reject, 4 review")
}

func TestPolicyExplainReviewAndAnonymous(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "b.json")
	require.NoError(t, os.WriteFile(bundle, []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[
		{"type":"threat-actor","spec_version":"2.1","id":"threat-actor--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Example Bear","threat_actor_types":["nation-state"],"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]},
		{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'x.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z","created_by_ref":"identity--1195cc95-0b6e-5315-a54a-aea41944c2b4","object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}]}`), 0o644))

	out, _, code := runCLI(t, "policy", "explain", "--as", "cert-three", bundle)
	require.Equal(t, 4, code)
	require.Contains(t, out, "verdict: REVIEW (held for review by a person at the hub)")
	require.Contains(t, out, "state_conduct.review: the submission attributes activity to a state")
	require.Contains(t, out, "would be shared once a person at the hub approves it:")

	out, _, code = runCLI(t, "policy", "explain", "--as", "cert-three", "--anonymous", bundle)
	require.Equal(t, 4, code, "still held for review")
	require.Contains(t, out, "sender:  cert-three (shown to recipients as anonymous)")
	require.Contains(t, out, "anonymous.created_by_ref: an anonymous submission may not carry created_by_ref (at /objects/1/created_by_ref)")
}
