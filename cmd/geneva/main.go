// Command geneva is the command line for people: validate STIX, explain
// policy decisions, submit, subscribe, and administer a hub.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		var q quietError
		if !errors.As(err, &q) {
			fmt.Fprintf(os.Stderr, "geneva: %v\n", err)
		}
	}
	os.Exit(exitCode(err))
}

// run is the whole program, so tests call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}
