package hub

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// baseOptions are the embedded server's options without users; users come
// from the MoU through withUsers, on start and on every reload.
func (h *Hub) baseOptions() (*server.Options, error) {
	host, port, err := hostPort(h.cfg.NATSListen)
	if err != nil {
		return nil, fmt.Errorf("nats_listen: %w", err)
	}
	o := &server.Options{
		ServerName: "geneva-hub",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   h.cfg.DataDir, // JetStream keeps its files under DataDir/jetstream
		MaxPayload: h.cfg.MaxPayload,
		NoSigs:     true, // the daemon owns signals (SIGHUP reloads the MoU)
	}
	if h.cfg.TLS.CertFile != "" {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{
			CertFile: h.cfg.TLS.CertFile, KeyFile: h.cfg.TLS.KeyFile,
			CaFile: h.cfg.TLS.CAFile, Verify: h.cfg.TLS.VerifyClients,
		})
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		o.TLSConfig, o.TLS, o.TLSVerify = tc, true, h.cfg.TLS.VerifyClients
	}
	return o, nil
}

// withUsers returns a copy of base with the hub account (the hub's own
// in-process user and the hub operator) and one account and NKey user per
// member that is not suspended. Suspended members have neither, so a
// reload disconnects them at once.
func (h *Hub) withUsers(base *server.Options, mou *policy.MoU) (*server.Options, error) {
	if h.cfg.JWTAccounts {
		return h.operatorOptions(base, mou)
	}
	o := base.Clone()
	hubPub, _ := h.key.PublicKey()
	opPub, err := wire.EnsureCreds(h.cfg.DataDir, wire.OperatorName)
	if err != nil {
		return nil, err
	}
	hubAcc, accounts, err := memberAccounts(mou, h.cfg.MaxPayload)
	if err != nil {
		return nil, err
	}
	pubs, err := h.rememberKeys(mou)
	if err != nil {
		return nil, err
	}
	o.Accounts = []*server.Account{hubAcc}
	o.Nkeys = []*server.NkeyUser{{Nkey: hubPub, Account: hubAcc}, {Nkey: opPub, Account: hubAcc}}
	for _, m := range mou.Members {
		if acc, ok := accounts[m.ID]; ok {
			o.Accounts = append(o.Accounts, acc)
			o.Nkeys = append(o.Nkeys, &server.NkeyUser{Nkey: pubs[m.ID], Permissions: memberPermissions(m.ID), Account: acc})
		}
	}
	return o, nil
}

// newHubKey is the hub's own identity for its in-process connections; it
// lives only in memory and changes on every start.
func newHubKey() (nkeys.KeyPair, error) { return nkeys.CreateUser() }

// slogAdapter routes nats-server logs (including permission violations,
// which the server logs as errors) to the hub's logger.
type slogAdapter struct {
	l         *slog.Logger
	violation func(line string)
	fatal     func(line string) bool // takes a fatal error while the server starts (startup.go)
}

func (a slogAdapter) Noticef(f string, v ...any) { a.l.Debug(fmt.Sprintf(f, v...)) }
func (a slogAdapter) Warnf(f string, v ...any) {
	if line := fmt.Sprintf(f, v...); isIndexRebuild(line) {
		a.l.Debug(line)
	} else {
		a.l.Warn(line)
	}
}
func (a slogAdapter) Fatalf(f string, v ...any) {
	if line := fmt.Sprintf(f, v...); a.fatal == nil || !a.fatal(line) {
		a.l.Error(line)
	}
}
func (a slogAdapter) Errorf(f string, v ...any) {
	line := fmt.Sprintf(f, v...)
	if strings.Contains(line, "Violation") {
		a.violation(line)
		return
	}
	a.l.Error(line)
}
func (a slogAdapter) Debugf(f string, v ...any) {}
func (a slogAdapter) Tracef(f string, v ...any) {}
