package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUsageErrorsExitTwo: every usage error, whatever level it is caught at
// (cobra's command lookup, flag parsing, a command's own argument check),
// exits 2 with one line that names the command once.
func TestUsageErrorsExitTwo(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"unknown command":             {[]string{"bogus"}, `geneva: unknown command "bogus" (see geneva --help)` + "\n"},
		"misspelt command":            {[]string{"subscibe"}, `geneva: unknown command "subscibe" (did you mean subscribe?)` + "\n"},
		"unknown nested command":      {[]string{"admin", "bogus"}, `geneva: admin: unknown command "bogus" (see geneva admin --help)` + "\n"},
		"unknown deeper command":      {[]string{"admin", "member", "bogus"}, `geneva: admin member: unknown command "bogus" (see geneva admin member --help)` + "\n"},
		"unknown flag":                {[]string{"submit", "--bogus"}, "geneva: unknown flag: --bogus\n"},
		"unknown root flag":           {[]string{"--bogus"}, "geneva: unknown flag: --bogus\n"},
		"submit without a file":       {[]string{"submit"}, "geneva: submit: want one FILE argument (see --help)\n"},
		"policy explain without file": {[]string{"policy", "explain", "--as", "bank-one"}, "geneva: policy explain: want one FILE argument (see --help)\n"},
		"help on an unknown topic":    {[]string{"help", "admin", "bogus"}, `geneva: help: unknown command "admin bogus" (see geneva --help)` + "\n"},
		"version with an argument":    {[]string{"version", "x"}, `geneva: version: unexpected argument "x" (it takes only flags; see --help)` + "\n"},
	} {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.args...)
			require.Equal(t, exitUsage, code, "stdout %q stderr %q", stdout, stderr)
			require.Equal(t, tc.want, stderr)
			require.NotContains(t, stderr, "geneva: geneva")
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		stdout, stderr, code := runCLI(t, args...)
		require.Equal(t, 0, code, stderr)
		require.Regexp(t, `^geneva \S+ .*go1\.\S+ \S+/\S+\n$`, stdout, args)
	}
}

// TestRootHelpNamesConnectionFlags: someone reading `geneva --help` learns
// how to point a command at a hub and at their credentials.
func TestRootHelpNamesConnectionFlags(t *testing.T) {
	stdout, _, code := runCLI(t, "--help")
	require.Equal(t, 0, code)
	for _, want := range []string{"--server", "--creds", "GENEVA_SERVER", "GENEVA_CREDS", "--version", "version "} {
		require.Contains(t, stdout, want)
	}
	stdout, _, code = runCLI(t, "help", "admin", "member")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "geneva admin member")
	// A group with no subcommand named still shows its help.
	stdout, _, code = runCLI(t, "admin")
	require.Equal(t, 0, code)
	require.True(t, strings.Contains(stdout, "member"), stdout)
}
