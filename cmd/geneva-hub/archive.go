package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/genevahub/geneva/hub/archive"
)

// runArchive is `geneva-hub archive --config FILE`: the Kafka archive
// bridge alone, reading the hub's streams over NATS as the hub operator, so
// it can scale and fail separately from the hub.
func runArchive(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("geneva-hub archive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "bridge settings (YAML: nats_url, creds, tls, http_listen, archive)")
	jsonLogs := fs.Bool("json-logs", false, "log JSON lines (default: text)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *configFile == "" || fs.NArg() > 0 {
		return usageError{errors.New("usage: geneva-hub archive --config FILE")}
	}
	cfg, err := archive.LoadStandaloneConfig(*configFile)
	warn(stderr, cfg.Warnings)
	if err != nil {
		return err
	}
	cfg.Logger = newLogger(stderr, *jsonLogs)
	return archive.RunStandalone(ctx, cfg)
}

// warn prints what a config file should change but may keep for now (old
// spellings), before the logger starts.
func warn(stderr io.Writer, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(stderr, "geneva-hub: warning:", w)
	}
}

func newLogger(w io.Writer, json bool) *slog.Logger {
	if json {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
