package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func TestSubmit(t *testing.T) {
	h, as := testHub(t)
	submit := func(member string, args ...string) (string, string, int) {
		return runCLI(t, append(append([]string{"submit"}, as(member)...), args...)...)
	}

	t.Run("accepted", func(t *testing.T) {
		out, errOut, code := submit("bank-one", bundleFile(t, "green", "Phish kit"))
		require.Equal(t, exitOK, code, errOut)
		require.Empty(t, errOut)
		require.Regexp(t, `^submitted to nats://127\.0\.0\.1:\d+ as bank-one \(msg id geneva-cli-\w+\)
verdict:    ACCEPT \(every object is shared\)
submission: sub-[0-9a-f]+, received \S+, policy version \S+

shared:
  TLP:GREEN to every member but the sender \(cert-three, isp-two, le-alpha, le-bravo\): 1 object
$`, out)
	})
	t.Run("red to named recipients, from standard input", func(t *testing.T) {
		out, errOut, code := runCLIWithStdin(t, strings.NewReader(mustRead(t, policyCase(t, "red-named.json"))),
			append([]string{"submit", "--to", "le-alpha", "-"}, as("le-bravo")...)...)
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, out, "TLP:RED to le-alpha: 1 object\n")
	})
	t.Run("rejected: every reason with its pointer", func(t *testing.T) {
		out, errOut, code := submit("bank-one", policyCase(t, "red-no-recipients.json"))
		require.Equal(t, exitRejected, code, errOut)
		require.Contains(t, out, "verdict:    REJECT (nothing is shared)")
		require.Contains(t, out, "not shared:\n  indicator--")
		require.Regexp(t, `tlp\.recipients_required: .+ \(at /objects/\d+[^)]*\)`, out)
	})
	t.Run("partly accepted", func(t *testing.T) {
		out, errOut, code := submit("bank-one", policyCase(t, "mixed-green-unmarked.json"))
		require.Equal(t, exitPartial, code, errOut)
		require.Contains(t, out, "verdict:    PARTIAL (some objects are shared, the others refused)")
		require.Contains(t, out, "tlp.unmarked: ")
	})
	t.Run("held for review", func(t *testing.T) {
		stateConduct := filepath.Join(t.TempDir(), "state.json")
		require.NoError(t, os.WriteFile(stateConduct, []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[
		{"type":"threat-actor","spec_version":"2.1","id":"threat-actor--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Example Bear","threat_actor_types":["nation-state"],"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}]}`), 0o644))
		out, errOut, code := submit("cert-three", stateConduct)
		require.Equal(t, exitReview, code, errOut)
		require.Contains(t, out, "verdict:    REVIEW (held for review by a person at the hub)")
		require.Contains(t, out, "held: nothing is shared until a person at the hub approves it")
	})
	t.Run("classified: the receipt says so", func(t *testing.T) {
		out, _, code := submit("bank-one", policyCase(t, "classified-nato-restricted.json"))
		require.Equal(t, exitRejected, code)
		require.Contains(t, out, "CLASSIFIED MATERIAL: the whole submission (1 object) was refused")
	})
	t.Run("json receipt", func(t *testing.T) {
		out, errOut, code := submit("bank-one", "--output", "json", bundleFile(t, "amber", "Amber thing"))
		require.Equal(t, exitOK, code, errOut)
		var r wire.Receipt
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		require.Equal(t, policy.Accept, r.Verdict)
		require.Equal(t, "bank-one", r.Member)
	})
	t.Run("community and anonymous reach the hub", func(t *testing.T) {
		out, errOut, code := submit("le-alpha", "--community", "le", "--anonymous", "--output", "json", policyCase(t, "green-to-community-le.json"))
		require.Equal(t, exitOK, code, errOut)
		var r wire.Receipt
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		require.True(t, r.Anonymous)
		require.Equal(t, []string{"le-bravo"}, r.Routes[0].Audience)
	})
	t.Run("no wait", func(t *testing.T) {
		out, errOut, code := submit("bank-one", "--no-wait", bundleFile(t, "green", "Fire and forget"))
		require.Equal(t, exitOK, code, errOut)
		require.Regexp(t, `^submitted to \S+ as bank-one: the hub has it \(msg id geneva-cli-\w+\)
not waiting for the receipt; see it later with: geneva receipts
$`, out)
	})
	t.Run("usage errors", func(t *testing.T) {
		cases := map[string]struct {
			args []string
			want string
		}{
			"no file":      {nil, "geneva: submit: want one FILE argument (see --help)\n"},
			"bad output":   {[]string{"--output", "yaml", "x.json"}, "geneva: --output \"yaml\": want text or json\n"},
			"bad timeout":  {[]string{"--timeout", "0s", "x.json"}, "geneva: --timeout 0s: want a positive duration, e.g. 30s\n"},
			"bad flag":     {[]string{"--bogus", "x.json"}, "geneva: unknown flag: --bogus\n"},
			"no such file": {[]string{"/nonexistent/b.json"}, "geneva: open /nonexistent/b.json: no such file or directory\n"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				_, errOut, code := submit("bank-one", c.args...)
				require.Equal(t, exitUsage, code)
				require.Equal(t, c.want, errOut)
			})
		}
	})
	t.Run("hub not running", func(t *testing.T) {
		url := h.ClientURL()
		creds := wire.CredsPath(h.Dir, "bank-one")
		require.NoError(t, h.Stop())
		start := time.Now()
		_, errOut, code := runCLI(t, "submit", "--server", url, "--creds", creds, "--timeout", "2s", bundleFile(t, "green", "x"))
		require.Equal(t, exitFailure, code)
		require.Equal(t, "geneva: connect: no answer from the hub at "+url+" (is geneva-hub running?)\n", errOut)
		require.Less(t, time.Since(start), 3*time.Second)
	})
}

func TestVerdictExit(t *testing.T) {
	for verdict, want := range map[policy.Verdict]int{policy.Accept: exitOK, policy.Partial: exitPartial, policy.Reject: exitRejected, policy.Review: exitReview, policy.Verdict(99): exitRejected} {
		require.Equal(t, want, exitCode(verdictExit(verdict)), verdict.String())
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := readInput(nil, path, 1<<20)
	require.NoError(t, err)
	return string(b)
}
