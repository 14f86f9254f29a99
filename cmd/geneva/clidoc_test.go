package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// docs/cli.md shows a session transcript for each command of the page.
func TestCLIDocHasATranscriptPerCommand(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	require.NoError(t, err)
	for _, cmd := range []string{"submit", "subscribe", "receipts", "directory", "context add", "context ls"} {
		require.Regexp(t, regexp.MustCompile(`(?m)^\$ geneva (--\S+ \S+ )*`+cmd+`\b.*\n.*\S`), string(doc), "a transcript of geneva %s", cmd)
	}
}
