package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func TestReceipts(t *testing.T) {
	_, as := testHub(t)
	// The first receipt is one geneva submit waited for and showed: it is
	// listed all the same (reading receipts takes none).
	shown, errOut, code := runCLI(t, append([]string{"submit", bundleFile(t, "green", "one")}, as("bank-one")...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, shown, "verdict:    ACCEPT")
	_, errOut, code = runCLI(t, append([]string{"submit", "--no-wait", bundleFile(t, "red", "two")}, as("bank-one")...)...)
	require.Equal(t, exitOK, code, errOut)
	_, errOut, code = runCLI(t, append([]string{"submit", "--no-wait", classifiedThree(t)}, as("bank-one")...)...)
	require.Equal(t, exitOK, code, errOut)
	receipts := func(args ...string) (string, string, int) {
		return runCLI(t, append(append([]string{"receipts"}, args...), as("bank-one")...)...)
	}
	var lines []wire.Receipt
	eventually(t, func() bool {
		out, _, code := receipts("--output", "json")
		require.Equal(t, exitOK, code)
		lines = nil
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var r wire.Receipt
			require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
			lines = append(lines, r)
		}
		return len(lines) == 3
	})
	require.Equal(t, policy.Accept, lines[0].Verdict)
	require.Contains(t, shown, "(msg id "+lines[0].MsgID+")")
	require.Equal(t, policy.Reject, lines[1].Verdict)
	require.True(t, lines[2].Classified)

	t.Run("table", func(t *testing.T) {
		out, errOut, code := receipts()
		require.Equal(t, exitOK, code, errOut)
		rows := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, rows, 4)
		require.Regexp(t, `^RECEIVED\s+VERDICT\s+SHARED\s+REFUSED\s+TO\s+SUBMISSION\s+MSG ID$`, rows[0])
		require.Regexp(t, `^\S+ \S+\s+ACCEPT\s+1\s+0\s+green→all\s+sub-\w+\s+geneva-cli-\w+$`, rows[1])
		require.Regexp(t, `^\S+ \S+\s+REJECT\s+0\s+1\s+-\s+sub-\w+\s+geneva-cli-\w+$`, rows[2])
		require.Regexp(t, `^\S+ \S+\s+REJECT\s+0\s+3\s+-\s+sub-\w+\s+geneva-cli-\w+$`, rows[3], "a classified rejection refuses every object")
	})
	t.Run("text, with reasons", func(t *testing.T) {
		out, errOut, code := receipts("--output", "text")
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, out, "verdict:    ACCEPT")
		require.Regexp(t, `tlp\.recipients_required: .+ \(at /objects/`, out)
	})
	t.Run("since excludes older", func(t *testing.T) {
		out, errOut, code := receipts("--since", time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
		require.Equal(t, exitOK, code, errOut)
		require.Equal(t, "no receipts in that time\n", out)
	})
	t.Run("usage errors", func(t *testing.T) {
		_, errOut, code := receipts("--since", "soon")
		require.Equal(t, exitUsage, code)
		require.Equal(t, "geneva: --since: \"soon\": want a duration (2h, 30m, 7d) or an RFC 3339 time (2026-11-01T00:00:00Z)\n", errOut)
		_, errOut, code = receipts("--output", "csv")
		require.Equal(t, exitUsage, code)
		require.Equal(t, "geneva: --output \"csv\": want table, text or json\n", errOut)
	})
}

// classifiedThree is a file with the policy case's classified indicator
// and two more indicators: three objects a classified rejection refuses.
func classifiedThree(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(policyCase(t, "classified-banner-name.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	objects := doc["objects"].([]any)
	for _, name := range []string{"two", "three"} {
		var o map[string]any
		require.NoError(t, json.Unmarshal(membertest.Indicator(t, "green", name), &o))
		objects = append(objects, o["objects"].([]any)[1]) // the indicator
	}
	doc["objects"] = objects
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "classified.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// eventually polls f for up to 5s (the receipts of --no-wait
// submissions come a moment later).
func eventually(t *testing.T, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatal("not true after 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2h":                   now.Add(-2 * time.Hour),
		"30m":                  now.Add(-30 * time.Minute),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"0s":                   now,
		"2026-11-01T00:00:00Z": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), "%s: %v", in, got)
	}
	for _, bad := range []string{"", "-2h", "2x", "d", "1.5d", "yesterday", "2026-11-01"} {
		_, err := parseSince(bad, now)
		require.Error(t, err, bad)
	}
}
