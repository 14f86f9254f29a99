package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/directory"
)

func TestDirectoryCommand(t *testing.T) {
	_, as := testHub(t)
	dir := func(args ...string) (string, string, int) {
		return runCLI(t, append(append([]string{"directory"}, args...), as("isp-two")...)...)
	}
	t.Run("table", func(t *testing.T) {
		out, errOut, code := dir("--jurisdiction", "no", "--type", "law-enforcement")
		require.Equal(t, exitOK, code, errOut)
		rows := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, rows, 2)
		require.Regexp(t, `^ID\s+NAME\s+TYPE\s+JURISDICTION\s+SECTORS\s+COMMUNITIES\s+24/7 CONTACT\s+PHONE\s+EMAIL\s+LANGUAGES$`, rows[0])
		require.Regexp(t, `^le-alpha\s+.+\s+law-enforcement\s+NO\s+-\s+le\s+.+\s+\+\d[\d ]+\s+\S+@\S+\s+\S+$`, rows[1])
	})
	t.Run("json", func(t *testing.T) {
		out, errOut, code := dir("--sector", "finance", "--output", "json")
		require.Equal(t, exitOK, code, errOut)
		var ms []directory.Member
		require.NoError(t, json.Unmarshal([]byte(out), &ms))
		require.Len(t, ms, 1)
		require.Equal(t, "bank-one", ms[0].ID)
	})
	t.Run("on duty", func(t *testing.T) {
		out, errOut, code := dir("--type", "industry", "--on-duty")
		require.Equal(t, exitOK, code, errOut)
		require.Equal(t, "bank-one: Bank One CSIRT, on duty 24/7 at +49 69 0000 0001, csirt@bank-one.example (de,en)\n"+
			"isp-two: ISP Two abuse and NOC, on duty 24/7 at +31 20 000 0002, noc@isp-two.example (nl,en)\n", out)
	})
	t.Run("none", func(t *testing.T) {
		out, _, code := dir("--jurisdiction", "SE")
		require.Equal(t, exitOK, code)
		require.Equal(t, "no member matches\n", out)
		out, _, _ = dir("--jurisdiction", "SE", "--output", "json")
		require.Equal(t, "[]\n", out)
	})
}
