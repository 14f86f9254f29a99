package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
)

// cluster-users writes an accounts file nats-server loads, with the hub
// account (the operator) and one account per demo MoU member, whose creds
// it creates under data_dir.
func TestClusterUsersCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hub.yaml")
	mou, err := filepath.Abs(filepath.Join("..", "..", "policy", "demo-mou.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte("mou_file: "+mou+"\ndata_dir: "+filepath.Join(dir, "data")+"\n"), 0o600))
	out := filepath.Join(dir, "accounts.conf")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"cluster-users", "--config", cfg, "--out", out}, &stderr), stderr.String())

	conf := filepath.Join(dir, "nats.conf")
	require.NoError(t, os.WriteFile(conf, []byte("include accounts.conf\n"), 0o600))
	opts, err := server.ProcessConfigFile(conf)
	require.NoError(t, err)
	require.Len(t, opts.Nkeys, 6, "the operator and the demo's five members")
	accounts := map[string]string{}
	for _, u := range opts.Nkeys {
		accounts[u.Account.Name] = u.Nkey
	}
	require.Len(t, accounts, 6, "the hub account and one per member")
	require.Contains(t, accounts, hub.MemberAccount("bank-one"))
	_, err = wire.CredsMember(wire.CredsPath(filepath.Join(dir, "data"), "bank-one"))
	require.NoError(t, err, "the member's creds, to hand over")

	err = run(context.Background(), []string{"cluster-users", "--config", cfg}, &stderr)
	require.ErrorContains(t, err, "usage: geneva-hub cluster-users [--jwt] [--domain NAME] --config FILE --out FILE")

	// --domain: the same accounts, each member's JetStream API subjects
	// also under the domain's prefix (leaf nodes); a name that cannot be
	// a subject token is refused.
	require.NoError(t, run(context.Background(), []string{"cluster-users", "--domain", "geneva", "--config", cfg, "--out", out}, &stderr), stderr.String())
	inDomain, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(inDomain), `"$JS.geneva.API.CONSUMER.MSG.NEXT.GENEVA_SHARE.inbox_bank-one"`)
	_, err = server.ProcessConfigFile(conf)
	require.NoError(t, err)
	err = run(context.Background(), []string{"cluster-users", "--domain", "a.b", "--config", cfg, "--out", out}, &stderr)
	require.ErrorContains(t, err, `jetstream domain "a.b": only letters, digits, - and _`)
}

// demoHubConfig writes a hub's settings (the demo MoU, data_dir under
// dir) into dir.
func demoHubConfig(t *testing.T) (dir, cfg, data string) {
	dir = t.TempDir()
	cfg = filepath.Join(dir, "hub.yaml")
	mou, err := filepath.Abs(filepath.Join("..", "..", "policy", "demo-mou.yaml"))
	require.NoError(t, err)
	data = filepath.Join(dir, "data")
	require.NoError(t, os.WriteFile(cfg, []byte("mou_file: "+mou+"\ndata_dir: "+data+"\n"), 0o600))
	return dir, cfg, data
}

// cluster-users --jwt --domain: each member's account JWT imports its
// JetStream API subjects also under the domain's prefix, and its user
// may publish them (leaf nodes); the domain is kept for the hub's pushes.
func TestClusterUsersJWTInDomain(t *testing.T) {
	dir, cfg, data := demoHubConfig(t)
	out := filepath.Join(dir, "operator.conf")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"cluster-users", "--jwt", "--domain", "geneva", "--config", cfg, "--out", out}, &stderr), stderr.String())
	parsed, err := conf.ParseFile(out)
	require.NoError(t, err)
	preload, ok := parsed["resolver_preload"].(map[string]any)
	require.True(t, ok, "resolver_preload in %s", out)
	next := "$JS.geneva.API.CONSUMER.MSG.NEXT.GENEVA_SHARE.inbox_bank-one"
	var imported []string
	for _, tok := range preload {
		ac, err := jwt.DecodeAccountClaims(tok.(string))
		require.NoError(t, err)
		if ac.Name == hub.MemberAccount("bank-one") {
			for _, imp := range ac.Imports {
				imported = append(imported, string(imp.LocalSubject))
			}
		}
	}
	require.Contains(t, imported, next)
	require.Contains(t, imported, "$JS.API.CONSUMER.MSG.NEXT.GENEVA_SHARE.inbox_bank-one")
	creds, err := os.ReadFile(hub.JWTCredsPath(data, "bank-one"))
	require.NoError(t, err)
	tok, err := jwt.ParseDecoratedJWT(creds)
	require.NoError(t, err)
	uc, err := jwt.DecodeUserClaims(tok)
	require.NoError(t, err)
	require.Contains(t, uc.Pub.Allow, next)

	err = run(context.Background(), []string{"cluster-users", "--jwt", "--domain", "a.b", "--config", cfg, "--out", out}, &stderr)
	require.ErrorContains(t, err, `jetstream domain "a.b": only letters, digits, - and _`)
}

// cluster-users --jwt writes operator mode: the operator JWT and the
// system, hub and member accounts to preload into the full resolver each
// server's own file names; the operator's and the system user's JWT creds
// for the hub.
func TestClusterUsersJWTCommand(t *testing.T) {
	dir, cfg, data := demoHubConfig(t)
	out := filepath.Join(dir, "operator.conf")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"cluster-users", "--jwt", "--config", cfg, "--out", out}, &stderr), stderr.String())
	node := filepath.Join(dir, "node.conf")
	require.NoError(t, os.WriteFile(node, []byte("include operator.conf\nresolver: {type: full, dir: "+strconv.Quote(filepath.Join(dir, "jwt"))+"}\n"), 0o600))
	opts, err := server.ProcessConfigFile(node)
	require.NoError(t, err)
	require.Len(t, opts.TrustedOperators, 1)
	require.NotEmpty(t, opts.SystemAccount)
	require.NotNil(t, opts.AccountResolver)
	member, _, err := wire.MemberOptions(hub.JWTCredsPath(data, wire.OperatorName), nil)
	require.NoError(t, err)
	require.Equal(t, wire.OperatorName, member)
	_, _, err = wire.MemberOptions(hub.JWTCredsPath(data, hub.SystemUser), nil)
	require.NoError(t, err, "the system user's creds, for the hub's pushes")
	_, err = hub.ReadSigningKey(hub.SigningKeyPath(data, "bank-one"))
	require.NoError(t, err, "the member admin's signing key, to hand over")

	// The upgrade keeps each member's key: its JWT creds are for the NKey
	// of its existing creds file.
	seedOnly, err := os.ReadFile(wire.CredsPath(data, "bank-one"))
	require.NoError(t, err)
	withJWT, err := os.ReadFile(hub.JWTCredsPath(data, "bank-one"))
	require.NoError(t, err)
	oldKey, err := nkeys.ParseDecoratedNKey(seedOnly)
	require.NoError(t, err)
	newKey, err := nkeys.ParseDecoratedNKey(withJWT)
	require.NoError(t, err)
	oldPub, _ := oldKey.PublicKey()
	newPub, _ := newKey.PublicKey()
	require.Equal(t, oldPub, newPub)
	tok, err := jwt.ParseDecoratedJWT(withJWT)
	require.NoError(t, err)
	uc, err := jwt.DecodeUserClaims(tok)
	require.NoError(t, err)
	require.Equal(t, oldPub, uc.Subject, "the user JWT is for the member's key")
}
