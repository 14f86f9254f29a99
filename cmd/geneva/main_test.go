package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// runCLI runs the geneva command line in-process with empty stdin and
// returns what it wrote and the exit status main would give.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIWithStdin(t, strings.NewReader(""), args...)
}

// cliTimeout bounds one command in the tests.
const cliTimeout = 2 * time.Minute

// runCLIWithStdin is runCLI with stdin.
func runCLIWithStdin(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	// A command that waits for something that never comes (a subscription
	// whose filter matches nothing, say) fails here, not at go test's
	// 10-minute timeout.
	ctx, cancel := context.WithTimeout(t.Context(), cliTimeout)
	defer cancel()
	err := run(ctx, args, stdin, &out, &errOut)
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("geneva %s: still running after %s; stdout %q, stderr %q", strings.Join(args, " "), cliTimeout, out.String(), errOut.String())
	}
	// As main does: print an error unless the command already explained it.
	var q quietError
	if err != nil && !errors.As(err, &q) {
		fmt.Fprintf(&errOut, "geneva: %v\n", err)
	}
	return out.String(), errOut.String(), exitCode(err)
}
