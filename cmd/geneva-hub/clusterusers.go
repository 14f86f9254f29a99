package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/policy"
)

// runClusterUsers is `geneva-hub cluster-users --config FILE --out FILE`:
// the NATS accounts and users of a hub in cluster mode, for the cluster's
// servers (docs/operating.md "Cluster").
func runClusterUsers(_ context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("geneva-hub cluster-users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "the hub's settings (YAML; mou_file and data_dir are read)")
	out := fs.String("out", "", "where to write the accounts (nats-server configuration, included at the top level of every server's file)")
	domain := fs.String("domain", "", "the cluster's JetStream domain (jetstream {domain: NAME} on every server), for members behind leaf nodes: each member may also use its JetStream API subjects under $JS.NAME.API (docs/operating.md \"Leaf nodes\"); with --jwt the hub keeps it under data_dir/jwt/domain for the account JWTs it pushes later")
	useJWT := fs.Bool("jwt", false, "operator mode instead: the operator JWT, the system account and every account JWT to preload; each server's own file adds resolver: {type: full, dir: DIR}, and the hub (jwt_accounts: true) pushes later changes; writes JWT creds under data_dir/jwt/creds and member admin signing keys under data_dir/jwt/signing")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *configFile == "" || *out == "" || fs.NArg() > 0 {
		return usageError{errors.New("usage: geneva-hub cluster-users [--jwt] [--domain NAME] --config FILE --out FILE")}
	}
	cfg, err := hub.LoadConfig(*configFile)
	warn(stderr, cfg.Warnings)
	if err != nil {
		return err
	}
	mou, err := policy.LoadMoU(cfg.MoUFile)
	if err != nil {
		return err
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = hub.DefaultDataDir
	}
	maxPayload := cfg.MaxPayload
	if maxPayload == 0 {
		maxPayload = hub.DefaultMaxPayload
	}
	generate := hub.ClusterAccountsInDomain
	if *useJWT {
		generate = hub.ClusterJWTInDomain
	}
	conf, err := generate(dir, mou, maxPayload, *domain)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, []byte(conf), 0o600)
}
