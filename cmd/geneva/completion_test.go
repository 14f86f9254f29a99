package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash": "__start_geneva",
		"zsh":  "#compdef geneva",
		"fish": "complete -c geneva",
	} {
		t.Run(shell, func(t *testing.T) {
			out, errOut, code := runCLI(t, "completion", shell)
			require.Equal(t, exitOK, code, errOut)
			require.Contains(t, out, marker)
		})
	}
	_, errOut, code := runCLI(t, "completion", "tcsh")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "geneva: completion: unknown shell \"tcsh\" (want bash, zsh or fish)\n", errOut)
}

// The shell asks the program itself (cobra's __complete) for flag values.
func TestCompletionOfFlagValues(t *testing.T) {
	isolate(t)
	out, _, code := runCLI(t, "__complete", "subscribe", "--tlp", "")
	require.Equal(t, exitOK, code)
	require.Equal(t, []string{"clear", "green", "amber", "amber+strict", "red", ":4"}, strings.Fields(out)[:6])
	_, _, code = runCLI(t, "context", "add", "dev", "--server", "nats://x", "--creds", "completion_test.go")
	require.Equal(t, exitOK, code)
	out, _, _ = runCLI(t, "__complete", "context", "use", "")
	require.Contains(t, out, "dev\n")
}

// Every command of this issue explains itself with examples.
func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), nil, nil)
	for _, path := range [][]string{{"submit"}, {"subscribe"}, {"receipts"}, {"directory"}, {"completion"},
		{"context"}, {"context", "add"}, {"context", "use"}, {"context", "ls"}, {"context", "rm"}} {
		cmd, _, err := root.Find(path)
		require.NoError(t, err)
		require.Equal(t, path[len(path)-1], cmd.Name())
		require.NotEmpty(t, cmd.Short, cmd.CommandPath())
		require.NotEmpty(t, cmd.Example, cmd.CommandPath())
		out, errOut, code := runCLI(t, append(path, "--help")...)
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, out, "Examples:")
	}
}
