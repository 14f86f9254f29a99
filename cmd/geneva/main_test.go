package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// runCLI runs the geneva command line in-process with empty stdin and
// returns what it wrote and the exit status main would give.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIWithStdin(t, strings.NewReader(""), args...)
}

// runCLIWithStdin is runCLI with stdin.
func runCLIWithStdin(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, stdin, &out, &errOut)
	// As main does: print an error unless the command already explained it.
	var q quietError
	if err != nil && !errors.As(err, &q) {
		fmt.Fprintf(&errOut, "geneva: %v\n", err)
	}
	return out.String(), errOut.String(), exitCode(err)
}
