// Command geneva-hub is the Geneva hub daemon: an embedded NATS server with
// JetStream that routes members' STIX submissions through the policy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/internal/pprofserve"
	"github.com/genevahub/geneva/internal/version"
)

func main() {
	if version.Requested(os.Args[1:]) {
		fmt.Println(version.String("geneva-hub"))
		return
	}
	if addr, err := pprofserve.Start(os.Getenv(pprofserve.Env)); err != nil {
		fmt.Fprintf(os.Stderr, "geneva-hub: %v\n", err)
		os.Exit(2)
	} else if addr != "" {
		fmt.Fprintf(os.Stderr, "geneva-hub: profiles on http://%s/debug/pprof/ ($%s)\n", addr, pprofserve.Env)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0) // -h: the usage was the answer
		}
		fmt.Fprintf(os.Stderr, "geneva-hub: %v\n", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "archive":
			return runArchive(ctx, args[1:], stderr)
		case "worker":
			return runWorker(ctx, args[1:], stderr)
		case "cluster-users":
			return runClusterUsers(ctx, args[1:], stderr)
		}
	}
	fs := flag.NewFlagSet("geneva-hub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dev := fs.Bool("dev", false, "run the built-in demo partnership (no config file needed)")
	configFile := fs.String("config", "", "production settings (YAML)")
	data := fs.String("data", "", "data directory (default "+hub.DefaultDataDir+")")
	natsListen := fs.String("nats-listen", "", "NATS listen address (default "+hub.DefaultNATSListen+")")
	httpListen := fs.String("http-listen", "", "HTTP listen address for /healthz /readyz /metrics (default "+hub.DefaultHTTPListen+")")
	jsonLogs := fs.Bool("json-logs", false, "log JSON lines (default: text)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage:
  geneva-hub --dev [--data DIR] [--nats-listen HOST:PORT] [--http-listen HOST:PORT]
                                      the demo partnership, no config file (docs/operating.md)
  geneva-hub --config FILE            production settings
  geneva-hub archive --config FILE    the Kafka archive bridge on its own (docs/archive.md)
  geneva-hub worker --config FILE     a worker node: policy decisions on another machine
  geneva-hub cluster-users [--jwt] [--domain NAME] --config FILE --out FILE
                                      the NATS users for a cluster (docs/operating.md "Cluster")
  geneva-hub --version | version      the version and the commit it was built from

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (subcommands: archive, worker, cluster-users, version; see --help)", fs.Arg(0))}
	}
	if *dev == (*configFile != "") {
		return usageError{errors.New("give exactly one of --dev or --config FILE (the archive bridge alone: geneva-hub archive --config FILE; a worker node: geneva-hub worker --config FILE)")}
	}
	var cfg hub.Config
	if *configFile != "" {
		var err error
		cfg, err = hub.LoadConfig(*configFile)
		warn(stderr, cfg.Warnings)
		if err != nil {
			return err
		}
	}
	cfg.Dev = *dev
	for _, f := range []struct{ flag, field *string }{{data, &cfg.DataDir}, {natsListen, &cfg.NATSListen}, {httpListen, &cfg.HTTPListen}} {
		if *f.flag != "" { // flags override the config file
			*f.field = *f.flag
		}
	}
	cfg.Logger = newLogger(stderr, *jsonLogs)

	h, err := hub.New(cfg)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := h.Reload(ctx); err != nil {
					cfg.Logger.Error("reload failed; keeping the MoU in force", "err", err)
				}
			}
		}
	}()
	return h.Run(ctx)
}
