package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// JWT accounts (jwt_accounts: true, docs/operating.md "JWT accounts (operator mode)"): the
// server, embedded or a cluster's, runs in operator mode with a full
// resolver, and the hub, as operator, pushes every account JWT to it over
// the system account whenever the MoU changes: a member change is a claim
// push, applied by every server at once, never a rewritten file or a
// reload.

// claimsUpdateSubject is where a full resolver takes account JWTs
// (nats-server accounts.go, DirAccResolver.Start): each server of the
// cluster stores the JWT and applies it to the account at once.
const claimsUpdateSubject = "$SYS.REQ.CLAIMS.UPDATE"

// resolverSync is how often the servers' full resolvers compare their
// JWTs and take the newer ones: a server that missed a push (it was down)
// catches up within this.
const resolverSync = 2 * time.Minute

// operatorOptions are base in operator mode for the embedded server: the
// hub's operator JWT, its system account, and a full resolver under
// data_dir/jwt/resolver holding the JWTs of mou before the server starts.
func (h *Hub) operatorOptions(base *server.Options, mou *policy.MoU) (*server.Options, error) {
	op, jwts, err := accountJWTs(h.cfg.DataDir, mou, h.cfg.MaxPayload)
	if err != nil {
		return nil, err
	}
	if _, err := h.rememberKeys(mou); err != nil {
		return nil, err
	}
	oc, err := jwt.DecodeOperatorClaims(op.jwt)
	if err != nil {
		return nil, fmt.Errorf("operator jwt: %w", err)
	}
	res, err := server.NewDirAccResolver(filepath.Join(jwtDir(h.cfg.DataDir), "resolver"), 0, resolverSync, server.NoDelete)
	if err != nil {
		return nil, fmt.Errorf("jwt resolver: %w", err)
	}
	for pub, tok := range jwts {
		if err := res.SaveAcc(pub, tok); err != nil {
			return nil, fmt.Errorf("jwt resolver: %w", err)
		}
	}
	o := base.Clone()
	o.TrustedOperators, o.SystemAccount, o.AccountResolver = []*jwt.OperatorClaims{oc}, op.sysPub, res
	h.operator = op
	return o, nil
}

// hubUserJWT is the user JWT of the hub's own in-process identity, in the
// hub account, without restrictions.
func (h *Hub) hubUserJWT() (string, error) {
	pub, err := h.key.PublicKey()
	if err != nil {
		return "", err
	}
	uc := jwt.NewUserClaims(pub)
	uc.Name = "geneva-hub"
	return uc.Encode(h.operator.hub)
}

// hubAuth is how the hub's in-process connection authenticates: its NKey,
// with a user JWT of the hub account in operator mode.
func (h *Hub) hubAuth() (nats.Option, error) {
	if h.operator == nil {
		pub, err := h.key.PublicKey()
		return nats.Nkey(pub, h.key.Sign), err
	}
	tok, err := h.hubUserJWT()
	if err != nil {
		return nil, fmt.Errorf("hub user jwt: %w", err)
	}
	return nats.UserJWT(func() (string, error) { return tok, nil }, h.key.Sign), nil
}

// connectSystem opens the system user's connection the hub pushes claims
// over, in-process to the embedded server, else to the cluster, and
// pushes the MoU's account JWTs: a start applies what changed while the
// hub was down.
func (h *Hub) connectSystem() error {
	if !h.cfg.JWTAccounts {
		return nil
	}
	if h.cfg.clustered() {
		conn := h.cfg.hubConnection()
		conn.Creds = JWTCredsPath(h.cfg.DataDir, SystemUser)
		nc, _, err := conn.Dial("geneva-hub-system:"+h.id, h.log)
		if err != nil {
			return fmt.Errorf("jwt_accounts: the system user (%s, written by geneva-hub cluster-users --jwt): %w", conn.Creds, err)
		}
		h.sysNC = nc
		return h.pushAllAccounts()
	}
	nc, err := nats.Connect("", nats.InProcessServer(h.srv), nats.Name("geneva-hub-system"),
		nats.UserCredentials(JWTCredsPath(h.cfg.DataDir, SystemUser)), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("system connection: %w", err)
	}
	h.sysNC = nc
	return h.pushAllAccounts()
}

// pushAllAccounts pushes every account JWT, changed or not: at start the
// hub does not know what the servers hold.
func (h *Hub) pushAllAccounts() error {
	h.pushMu.Lock()
	defer h.pushMu.Unlock()
	h.pushed = nil
	_, _, err := h.pushChanged(h.MoU())
	return err
}

func (h *Hub) closeSystem() {
	if h.sysNC != nil {
		h.sysNC.Close()
	}
}

// moveHubAccountStore keeps the hub's JetStream data when jwt_accounts is
// switched on or off: in operator mode the hub account is named by its
// public key, so its files live under jetstream/<key>, else under
// jetstream/geneva.
func (h *Hub) moveHubAccountStore() error {
	if h.operator != nil {
		return moveAccountStore(h.cfg.DataDir, HubAccount, h.operator.hubPub, "before jwt_accounts", h.log)
	}
	_, hubPub, err := jwtKey(filepath.Join(jwtDir(h.cfg.DataDir), "accounts", HubAccount+".nk"), nil)
	if errors.Is(err, os.ErrNotExist) {
		return nil // never ran with JWT accounts
	} else if err != nil {
		return err
	}
	return moveAccountStore(h.cfg.DataDir, hubPub, HubAccount, "jwt_accounts", h.log)
}

// pushAccounts pushes the account JWTs of mou to the servers: those whose
// claims changed since the last push the servers confirmed (all of them
// at start, connectSystem, and after a failed push).
func (h *Hub) pushAccounts(mou *policy.MoU) error {
	h.pushMu.Lock()
	defer h.pushMu.Unlock()
	_, _, err := h.pushChanged(mou)
	return err
}

// pushChanged is pushAccounts under pushMu; it returns the fewest servers
// that confirmed a JWT and the servers there are (both 0 if nothing
// changed).
func (h *Hub) pushChanged(mou *policy.MoU) (answered, want int, err error) {
	if _, err := h.rememberKeys(mou); err != nil {
		return 0, 0, err
	}
	op, claims, err := accountClaims(h.cfg.DataDir, mou, h.cfg.MaxPayload)
	if err != nil {
		return 0, 0, err
	}
	delete(claims, op.sysPub) // the system account never changes
	prints, changed := map[string]string{}, map[string]string{}
	for pub, ac := range claims {
		if prints[pub], err = claimsPrint(ac); err != nil {
			return 0, 0, err
		}
		if h.pushed[pub] == prints[pub] {
			continue
		}
		if changed[pub], err = op.sign(ac); err != nil {
			return 0, 0, err
		}
	}
	if len(changed) == 0 {
		return 0, 0, nil
	}
	answered, want, err = pushClaims(h.sysNC, op.hubPub, changed, 5*time.Second)
	if err != nil {
		h.pushed = nil // some servers may hold some of them: push all next time
		return 0, want, fmt.Errorf("pushing account JWTs: %w", err)
	}
	if h.pushed == nil {
		h.pushed = map[string]string{}
	}
	for pub := range changed {
		h.pushed[pub] = prints[pub]
	}
	h.log.Info("account JWTs pushed", "accounts", len(changed), "unchanged", len(claims)-len(changed), "servers_confirmed", answered, "servers", want)
	if answered < want {
		h.log.Warn("some NATS servers did not confirm the pushed account JWTs; their resolvers take them from the others within the sync interval",
			"confirmed", answered, "servers", want, "sync", resolverSync)
	}
	return answered, want, nil
}

// claimsPrint is what an account's claims say, but for what differs
// between two signings of the same: the issue time and id (set by
// signing), and a closed account's "every user issued until now"
// revocation time (closedAccountClaims: it allows no connection anyway).
// Two claims with the same print need one push.
func claimsPrint(ac *jwt.AccountClaims) (string, error) {
	cp := *ac
	cp.IssuedAt, cp.ID = 0, ""
	if _, closed := ac.Revocations[jwt.All]; closed {
		cp.Revocations = maps.Clone(ac.Revocations)
		cp.Revocations[jwt.All] = 0
	}
	data, err := json.Marshal(&cp)
	return string(data), err
}

// pushClaims sends each JWT of jwts (by account public key), the hub
// account's first (the members' accounts import from it), on
// claimsUpdateSubject, and waits up to timeout for each server nc knows
// of to confirm it. It fails on a server's refusal or if none answers;
// answered is the fewest confirmations of one JWT, want the servers.
func pushClaims(nc *nats.Conn, hubPub string, jwts map[string]string, timeout time.Duration) (answered, want int, err error) {
	want = max(1, len(knownServers(nc)))
	answered = want
	order := append([]string{hubPub}, sortedKeys(jwts)...)
	for i, pub := range order {
		tok, ok := jwts[pub]
		if !ok || (i > 0 && pub == hubPub) {
			continue
		}
		n, err := pushClaim(nc, tok, want, timeout)
		if err != nil {
			return 0, want, fmt.Errorf("account %s: %w", pub, err)
		}
		answered = min(answered, n)
	}
	return answered, want, nil
}

// pushClaim publishes one account JWT and collects the servers' answers
// until want answered or timeout passed.
func pushClaim(nc *nats.Conn, tok string, want int, timeout time.Duration) (int, error) {
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return 0, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest(claimsUpdateSubject, inbox, []byte(tok)); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(timeout)
	answered := 0
	for answered < want {
		msg, err := sub.NextMsg(time.Until(deadline))
		if errors.Is(err, nats.ErrTimeout) {
			break
		} else if err != nil {
			return answered, err
		}
		var resp server.ServerAPIClaimUpdateResponse
		if err := json.Unmarshal(msg.Data, &resp); err != nil {
			return answered, fmt.Errorf("claims update answer: %w", err)
		}
		if resp.Error != nil {
			return answered, fmt.Errorf("refused by a server: %s", resp.Error.Description)
		}
		answered++
	}
	if answered == 0 {
		return 0, fmt.Errorf("no server answered %s within %s (is the resolver of type full?)", claimsUpdateSubject, timeout)
	}
	return answered, nil
}

// knownServers are the client URLs of the servers nc knows: the one it
// reached and the cluster's others it was told about.
func knownServers(nc *nats.Conn) map[string]bool {
	out := map[string]bool{}
	for _, u := range nc.Servers() {
		out[u] = true
	}
	return out
}

// rememberKeys maps each member's NKey (and the operator's) to its id for
// the violation metrics, and returns each member's key.
func (h *Hub) rememberKeys(mou *policy.MoU) (map[string]string, error) {
	opPub, err := wire.EnsureCreds(h.cfg.DataDir, wire.OperatorName)
	if err != nil {
		return nil, err
	}
	keys, pubs := map[string]string{opPub: wire.OperatorName}, map[string]string{}
	for _, m := range mou.Members {
		pub, err := wire.EnsureCreds(h.cfg.DataDir, m.ID)
		if err != nil {
			return nil, err
		}
		keys[pub], pubs[m.ID] = m.ID, pub
	}
	h.mu.Lock()
	h.keyMember = keys
	h.mu.Unlock()
	return pubs, nil
}

// checkMemberIDs refuses a member id the hub uses for itself: "operator"
// names the operator's creds file, and "geneva" the hub account's key
// under data_dir/jwt/accounts, so such a member would get the operator's
// key, or with JWT accounts a user in the hub's own account.
func checkMemberIDs(mou *policy.MoU) error {
	for i, m := range mou.Members {
		if m.ID == wire.OperatorName || m.ID == HubAccount {
			return fmt.Errorf("members[%d].id: %q is reserved for the hub itself; choose another id", i, m.ID)
		}
	}
	return nil
}

// CredsPath is the creds file member id (or wire.OperatorName) connects
// with: with JWT accounts its JWT creds (JWTCredsPath), else its NKey's.
func (h *Hub) CredsPath(id string) string {
	if h.cfg.JWTAccounts {
		return JWTCredsPath(h.cfg.DataDir, id)
	}
	return wire.CredsPath(h.cfg.DataDir, id)
}
