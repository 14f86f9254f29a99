package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/genevahub/geneva/hub/decide"
)

// runWorker is `geneva-hub worker --config FILE`: a worker node, policy
// workers on another machine that share the hub's intake consumers and
// take the MoU in force from the hub.
func runWorker(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("geneva-hub worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "worker node settings (YAML: nats_url, creds, tls, http_listen, workers)")
	jsonLogs := fs.Bool("json-logs", false, "log JSON lines (default: text)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *configFile == "" || fs.NArg() > 0 {
		return usageError{errors.New("usage: geneva-hub worker --config FILE")}
	}
	cfg, err := decide.LoadWorkerConfig(*configFile)
	warn(stderr, cfg.Warnings)
	if err != nil {
		return err
	}
	cfg.Logger = newLogger(stderr, *jsonLogs)
	return decide.RunWorkers(ctx, cfg)
}
