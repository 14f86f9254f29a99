// Command geneva-connector is the daemon a partner runs next to its SIEM,
// TIP or case system: it moves the partner's reports to the Geneva hub and
// what the hub delivers to local systems (see docs/connectors.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/genevahub/geneva/connectors"
	_ "github.com/genevahub/geneva/connectors/all"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/internal/version"
)

const usage = `usage: geneva-connector [--json-logs] [--debug] run CONFIG   run the connector
       geneva-connector check CONFIG                       validate a config file and what run uses (MoU, creds)
       geneva-connector list                               list the connector kinds
       geneva-connector --version | version                the version and the commit it was built from`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0) // -h: the usage was the answer
		}
		fmt.Fprintf(os.Stderr, "geneva-connector: %v\n", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if version.Requested(args) {
		fmt.Fprintln(stdout, version.String("geneva-connector"))
		return nil
	}
	fs := flag.NewFlagSet("geneva-connector", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	jsonLogs := fs.Bool("json-logs", false, "log JSON lines (default: text)")
	debug := fs.Bool("debug", false, "log every item")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	cmd, rest := fs.Arg(0), fs.Args()[min(1, fs.NArg()):]
	switch {
	case cmd == "list" && len(rest) == 0:
		for _, s := range connectors.Default.Specs() {
			fmt.Fprintf(stdout, "%-8s %-12s %s\n", s.Name, roles(s), s.Summary)
		}
		return nil
	case (cmd == "check" || cmd == "run") && len(rest) == 1:
	default:
		return usageError{errors.New("expected run CONFIG, check CONFIG or list\n" + usage)}
	}
	cfg, err := daemon.LoadConfig(rest[0], connectors.Default)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "geneva-connector: warning:", w)
	}
	if cmd == "check" {
		if err := daemon.Check(cfg, connectors.Default); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ok (%d sources, %d sinks)\n", rest[0], len(cfg.Sources), len(cfg.Sinks))
		return nil
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	var h slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	if *jsonLogs {
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	}
	c, err := daemon.New(cfg, connectors.Default, slog.New(h))
	if err != nil {
		return err
	}
	return c.Run(ctx)
}

func roles(s connectors.Spec) string {
	switch {
	case s.NewSource != nil && s.NewSink != nil:
		return "source,sink"
	case s.NewSource != nil:
		return "source"
	}
	return "sink"
}
