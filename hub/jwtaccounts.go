package hub

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// JWT accounts (docs/operating.md "JWT accounts (operator mode)"): the
// layout of accountsConfig as signed JWTs, for servers in operator mode
// (jwtserver.go). The hub
// is the operator: it alone signs account JWTs, so a member's account
// holds exactly the imports of memberReach and nothing else, whoever
// issues its users. A member's admin gets a signing key of the member's
// account scoped to memberPermissions: the users it issues can do what
// the member can, and no more.

// jwtDir is where the hub keeps its JWT keys and the JWT creds it issues.
func jwtDir(dataDir string) string { return filepath.Join(dataDir, "jwt") }

// JWTCredsPath is where the JWT creds (user JWT and seed, the standard
// NATS creds file) of member (or OperatorName) live under dataDir.
func JWTCredsPath(dataDir, member string) string {
	return filepath.Join(jwtDir(dataDir), "creds", member+".creds")
}

// SigningKeyPath is member's account signing key, for its admin to issue
// users (geneva admin member user).
func SigningKeyPath(dataDir, member string) string {
	return filepath.Join(jwtDir(dataDir), "signing", member+".nk")
}

// jwtKey reads the seed at path, or creates it with create (if not nil).
func jwtKey(path string, create func() (nkeys.KeyPair, error)) (nkeys.KeyPair, string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create != nil {
		kp, err := create()
		if err != nil {
			return nil, "", fmt.Errorf("jwt key %s: %w", path, err)
		}
		seed, _ := kp.Seed()
		if err := writeSecret(path, seed); err != nil {
			return nil, "", err
		}
		data = seed
	} else if err != nil {
		return nil, "", fmt.Errorf("jwt key: %w", err)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(data))
	if err != nil {
		return nil, "", fmt.Errorf("jwt key %s: %w", path, err)
	}
	pub, err := kp.PublicKey()
	return kp, pub, err
}

// writeSecret writes data to path (mode 0600) through a rename.
func writeSecret(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	return nil
}

// signingKeyTemplate is a member admin's signing key file: the seed of a
// signing key of the member's account, and the account it signs for.
const signingKeyTemplate = `# Geneva member admin signing key (JWT accounts): issues NATS users of
# member %s with geneva admin member user. Keep it secret: whoever holds it
# can speak as %s (never beyond the member's permissions).
# member: %s
# account: %s
%s
`

// signingKey returns the public signing key of member's account (account
// accPub), creating the member admin's key file on first use.
func signingKey(dataDir, member, accPub string) (string, error) {
	path := SigningKeyPath(dataDir, member)
	if sk, err := ReadSigningKey(path); err == nil {
		if sk.Account != accPub {
			return "", fmt.Errorf("signing key %s: for account %s, not %s", path, sk.Account, accPub)
		}
		return sk.Key.PublicKey()
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	kp, err := nkeys.CreateAccount()
	if err != nil {
		return "", fmt.Errorf("signing key %s: %w", member, err)
	}
	seed, _ := kp.Seed()
	if err := writeSecret(path, fmt.Appendf(nil, signingKeyTemplate, member, member, member, accPub, seed)); err != nil {
		return "", err
	}
	return kp.PublicKey()
}

// SigningKey is a member admin's signing key file, read.
type SigningKey struct {
	Member, Account string
	Key             nkeys.KeyPair
}

// ReadSigningKey reads a member admin's signing key file.
func ReadSigningKey(path string) (SigningKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return SigningKey{}, err
	}
	var sk SigningKey
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "# member: "); ok {
			sk.Member = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "# account: "); ok {
			sk.Account = strings.TrimSpace(v)
		}
	}
	if sk.Key, err = nkeys.ParseDecoratedNKey(data); err != nil || sk.Member == "" || !nkeys.IsValidPublicAccountKey(sk.Account) {
		return SigningKey{}, fmt.Errorf("signing key %s: not a Geneva member admin signing key (a \"# member:\" and an \"# account:\" line and a seed)", path)
	}
	return sk, nil
}

// IssueMemberUser is a NATS creds file for a new user name of the member
// whose admin holds the signing key sk: a fresh NKey and a user JWT signed
// with sk. The account's scope gives the user exactly the member's
// permissions, whatever the JWT says. It returns the user's public key,
// for revoking it.
func IssueMemberUser(sk SigningKey, name string) (creds []byte, userPub string, err error) {
	user, err := nkeys.CreateUser()
	if err != nil {
		return nil, "", err
	}
	if creds, err = userCreds(sk.Member, name, user, sk.Key, sk.Account, nil); err != nil {
		return nil, "", err
	}
	userPub, err = user.PublicKey()
	return creds, userPub, err
}

// ClusterJWT is nats-server configuration for every server of a cluster in
// operator mode: the hub's operator JWT, the system account, and every
// account JWT of accountJWTs to preload into each server's full resolver
// (docs/operating.md "JWT accounts (operator mode)"). Each server's own file
// names its resolver directory (resolver: {type: full, dir: ...}): the
// file is the same on every server, the directory is not. It is written
// once, to start the cluster: a later member change is pushed to the
// running servers as claims (pushClaims), with no file and no reload.
// Preloading never replaces a newer pushed JWT (the server keeps the
// newer by issue time). It writes the JWT creds of the operator, of every
// member (for the NKeys of their creds files: a member keeps its key; its
// file gains the user JWT) and of the system user, and each member's
// scoped signing key.
func ClusterJWT(dataDir string, mou *policy.MoU, maxPayload int32) (string, error) {
	op, preload, err := accountJWTs(dataDir, mou, maxPayload)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# NATS operator mode for a Geneva hub cluster (geneva-hub cluster-users --jwt); the same file on\n"+
		"# every server, whose own file adds: resolver: {type: full, dir: \"<its own directory>\"}.\n"+
		"# Member changes are pushed to the servers by the hub as account JWTs ($SYS.REQ.CLAIMS.UPDATE).\n"+
		"operator: %s\nsystem_account: %s\nresolver_preload: {\n", confString(op.jwt), confString(op.sysPub))
	for _, pub := range sortedKeys(preload) {
		fmt.Fprintf(&b, "  %s: %s\n", pub, confString(preload[pub]))
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// jwtOperator is the hub as NATS operator: its key and JWT, and the
// keys of the system account and of the hub account.
type jwtOperator struct {
	key, sys, hub       nkeys.KeyPair
	pub, sysPub, hubPub string
	jwt                 string
}

// loadOperator reads the operator's keys under dataDir, creating them on
// first use, and the system user's JWT creds (SystemUser).
func loadOperator(dataDir string) (*jwtOperator, error) {
	dir := jwtDir(dataDir)
	var op jwtOperator
	var err error
	if op.key, op.pub, err = jwtKey(filepath.Join(dir, "operator.nk"), nkeys.CreateOperator); err != nil {
		return nil, err
	}
	if op.sys, op.sysPub, err = jwtKey(filepath.Join(dir, "accounts", "SYS.nk"), nkeys.CreateAccount); err != nil {
		return nil, err
	}
	if op.hub, op.hubPub, err = jwtKey(filepath.Join(dir, "accounts", HubAccount+".nk"), nkeys.CreateAccount); err != nil {
		return nil, err
	}
	if op.jwt, err = operatorJWT(filepath.Join(dir, "operator.jwt"), op.key, op.pub, op.sysPub); err != nil {
		return nil, err
	}
	sysUser, _, err := jwtKey(filepath.Join(dir, "users", SystemUser+".nk"), nkeys.CreateUser)
	if err != nil {
		return nil, err
	}
	creds, err := userCreds(SystemUser, SystemUser, sysUser, op.sys, "", nil)
	if err != nil {
		return nil, err
	}
	return &op, writeSecret(JWTCredsPath(dataDir, SystemUser), creds)
}

// SystemUser names the user of the system account in JWT mode; the hub
// pushes account JWTs as it (JWTCredsPath(dataDir, SystemUser)). Member
// ids are lowercase, so no member has this name.
const SystemUser = "SYS"

// accountJWTs is every account JWT of the hub as operator (accountClaims),
// signed, by public key.
func accountJWTs(dataDir string, mou *policy.MoU, maxPayload int32) (*jwtOperator, map[string]string, error) {
	op, claims, err := accountClaims(dataDir, mou, maxPayload)
	if err != nil {
		return nil, nil, err
	}
	jwts := map[string]string{}
	for pub, ac := range claims {
		if jwts[pub], err = op.sign(ac); err != nil {
			return nil, nil, err
		}
	}
	return op, jwts, nil
}

// sign is ac as a JWT the operator signed.
func (op *jwtOperator) sign(ac *jwt.AccountClaims) (string, error) {
	tok, err := ac.Encode(op.key)
	if err != nil {
		return "", fmt.Errorf("account %s jwt: %w", ac.Name, err)
	}
	return tok, nil
}

// accountClaims is every account of the hub as operator, by public key:
// the system account, the hub account (exporting what the active members
// import), each active member's account (memberAccountJWT) and a closed
// account (closedAccountClaims) for every member suspended or no longer in
// mou that had one. It writes the JWT creds of the operator and of every
// active member.
func accountClaims(dataDir string, mou *policy.MoU, maxPayload int32) (*jwtOperator, map[string]*jwt.AccountClaims, error) {
	op, err := loadOperator(dataDir)
	if err != nil {
		return nil, nil, err
	}
	claims := map[string]*jwt.AccountClaims{}
	add := func(ac *jwt.AccountClaims) { claims[ac.Subject] = ac }
	sc := jwt.NewAccountClaims(op.sysPub)
	sc.Name = "SYS"
	add(sc)
	hc := jwt.NewAccountClaims(op.hubPub)
	hc.Name = HubAccount
	hc.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	exported := map[string]bool{}
	if err := issueCreds(dataDir, wire.OperatorName, op.hub, nil); err != nil {
		return nil, nil, err
	}
	active := map[string]bool{}
	for _, m := range mou.Members {
		if _, err := wire.EnsureCreds(dataDir, m.ID); err != nil {
			return nil, nil, err
		}
		if m.Suspended {
			continue
		}
		active[m.ID] = true
		mc, err := memberAccountJWT(dataDir, m.ID, op.hubPub, mou.QuotaOf(m.ID), maxPayload)
		if err != nil {
			return nil, nil, err
		}
		add(mc)
		for _, r := range append(memberReach(m.ID), reach{jsInfoSink, service}, reach{wire.MemberAdminService(m.ID), service}) {
			if !exported[r.hubSubject()] {
				exported[r.hubSubject()] = true
				hc.Exports.Add(hubExport(r))
			}
		}
	}
	add(hc)
	closed, err := accountsOnFile(dataDir)
	if err != nil {
		return nil, nil, err
	}
	for m, pub := range closed {
		if !active[m] {
			add(closedAccountClaims(m, pub))
		}
	}
	return op, claims, nil
}

// accountsOnFile are the members that ever had a JWT account under
// dataDir, with its public key.
func accountsOnFile(dataDir string) (map[string]string, error) {
	dir := filepath.Join(jwtDir(dataDir), "accounts")
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	out := map[string]string{}
	for _, e := range entries {
		m, ok := strings.CutSuffix(e.Name(), ".nk")
		if !ok || m == "SYS" || m == HubAccount {
			continue
		}
		_, pub, err := jwtKey(filepath.Join(dir, e.Name()), nil)
		if err != nil {
			return nil, err
		}
		out[m] = pub
	}
	return out, nil
}

// closedAccountClaims is the account of a member suspended or removed:
// the servers keep every account JWT they were given, so the account is
// not dropped but closed. No imports (it reaches nothing), no signing
// keys (its admin's users are refused, even ones issued after this), no
// connections allowed, and every user JWT issued until now revoked, which
// also cuts the member's open connections at once.
func closedAccountClaims(m, accPub string) *jwt.AccountClaims {
	ac := jwt.NewAccountClaims(accPub)
	ac.Name = MemberAccount(m)
	ac.Limits.Conn, ac.Limits.Subs, ac.Limits.Payload, ac.Limits.Data = 0, 0, 0, 0
	ac.Limits.LeafNodeConn = 0
	ac.RevokeAt(jwt.All, time.Now())
	return ac
}

// operatorJWT is the operator's JWT, signed once and kept at path: the
// servers refuse a reload that changes it.
func operatorJWT(path string, op nkeys.KeyPair, opPub, sysPub string) (string, error) {
	if data, err := os.ReadFile(path); err == nil {
		return string(bytes.TrimSpace(data)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("operator jwt: %w", err)
	}
	oc := jwt.NewOperatorClaims(opPub)
	oc.Name, oc.SystemAccount = "geneva", sysPub
	tok, err := oc.Encode(op)
	if err != nil {
		return "", fmt.Errorf("operator jwt: %w", err)
	}
	return tok, writeSecret(path, []byte(tok))
}

// memberAccountJWT is the claims of member m's account (memberAccountClaims)
// with its admin's scoped signing key and its replaced user keys revoked;
// it writes the member's JWT creds, issued by the account.
func memberAccountJWT(dataDir, m, hubPub string, q policy.Quota, maxPayload int32) (*jwt.AccountClaims, error) {
	acc, accPub, err := jwtKey(filepath.Join(jwtDir(dataDir), "accounts", m+".nk"), nkeys.CreateAccount)
	if err != nil {
		return nil, err
	}
	signPub, err := signingKey(dataDir, m, accPub)
	if err != nil {
		return nil, err
	}
	domain, err := jwtDomain(dataDir)
	if err != nil {
		return nil, err
	}
	mc := memberAccountClaims(m, accPub, hubPub, q, maxPayload)
	// The admin's service, imported with the asker's identity shared: the
	// hub checks it is the admin user (memberadmin.go).
	mc.Imports.Add(&jwt.Import{Account: hubPub, Subject: jwt.Subject(wire.MemberAdminService(m)), Type: jwt.Service, Share: true})
	if err := issueAdminCreds(dataDir, m, acc); err != nil {
		return nil, err
	}
	addDomainImports(mc, domain) // leaf nodes (clusterdomain.go)
	if err := revokeReplacedKeys(dataDir, m, mc); err != nil {
		return nil, err
	}
	scope := jwt.NewUserScope()
	scope.Key, scope.Role = signPub, "member-admin"
	scope.Template.Permissions = natsPermissionsIn(m, domain)
	mc.SigningKeys.AddScopedSigner(scope)
	return mc, issueCreds(dataDir, m, acc, &scope.Template)
}

// MemberAdminCredsPath is the JWT creds of member's admin user: the one
// user of the member's account that may ask the hub to revoke the
// member's other users (geneva admin member revoke-user --creds).
func MemberAdminCredsPath(dataDir, member string) string {
	return filepath.Join(jwtDir(dataDir), "admin", member+".creds")
}

// memberAdminKeyPath is the NKey of member's admin user: delete it and
// reload to give the admin a new key (the old one is revoked).
func memberAdminKeyPath(dataDir, member string) string {
	return filepath.Join(jwtDir(dataDir), "admin", member+".nk")
}

// memberAdminKey is the public key of member's admin user, "" if it has
// none (yet).
func memberAdminKey(dataDir, member string) string {
	_, pub, err := jwtKey(memberAdminKeyPath(dataDir, member), nil)
	if err != nil {
		return ""
	}
	return pub
}

// issueAdminCreds writes the JWT creds of member's admin user, issued by
// the member's account (so no signing key can make another): it may only
// ask the member admin service and read the answers. A key that replaced
// an earlier one (its key file was deleted) revokes the earlier one.
func issueAdminCreds(dataDir, member string, account nkeys.KeyPair) error {
	user, pub, err := jwtKey(memberAdminKeyPath(dataDir, member), nkeys.CreateUser)
	if err != nil {
		return err
	}
	path := MemberAdminCredsPath(dataDir, member)
	if issued, err := credsUserKey(path); err == nil && issued != pub {
		if err := addRevoked(dataDir, member, issued); err != nil {
			return err
		}
	}
	limits := jwt.NewUserScope().Template // no limits but the permissions
	limits.Permissions = jwt.Permissions{
		Pub: jwt.Permission{Allow: jwt.StringList{wire.MemberAdminService(member)}},
		Sub: jwt.Permission{Allow: jwt.StringList{wire.InboxPrefix(member) + ".>"}},
	}
	creds, err := userCreds(member, member+"-admin", user, account, "", &limits)
	if err != nil {
		return err
	}
	return writeSecret(path, creds)
}

// memberAccountClaims is member m's account: the imports of memberReach
// from the hub account (and $JS.API.INFO to nowhere, see jsInfoSubject),
// no JetStream, its quota as account limits.
func memberAccountClaims(m, accPub, hubPub string, q policy.Quota, maxPayload int32) *jwt.AccountClaims {
	mc := jwt.NewAccountClaims(accPub)
	mc.Name = MemberAccount(m)
	mc.Limits.Conn = int64(q.Connections)
	mc.Limits.LeafNodeConn = int64(q.Connections) // partner sites' leaf nodes, counted apart
	mc.Limits.Subs = int64(q.Subscriptions)
	mc.Limits.Payload = min(int64(q.MaxSubmissionBytes), int64(maxPayload))
	for _, r := range append(memberReach(m), reach{jsInfoSink, service}) {
		imp := &jwt.Import{Account: hubPub, Subject: jwt.Subject(r.hubSubject()), Type: jwt.Service, LocalSubject: jwt.RenamingSubject(r.subject)}
		switch {
		case r.kind == delivery:
			imp.Type, imp.LocalSubject = jwt.Stream, ""
		case r.subject == jsInfoSink:
			imp.LocalSubject = jsInfoSubject
		}
		mc.Imports.Add(imp)
	}
	return mc
}

// hubExport is the hub account's export of r. Exports are public: only
// the operator (the hub) signs account JWTs, so no account but one the hub
// wrote imports anything.
func hubExport(r reach) *jwt.Export {
	if r.kind == delivery {
		return &jwt.Export{Subject: jwt.Subject(r.hubSubject()), Type: jwt.Stream}
	}
	e := &jwt.Export{Subject: jwt.Subject(r.hubSubject()), Type: jwt.Service, ResponseType: jwt.ResponseTypeSingleton}
	if r.kind == jetStreamStreamed {
		e.ResponseType = jwt.ResponseTypeStream
	}
	return e
}

// revokeReplacedKeys revokes in mc every user key of member on its
// revocation list (revokedPath): the keys its JWT creds held before its
// creds file got a new key (a rotation: suspend, delete the creds file,
// resume; a user JWT stays valid until its account revokes it), and the
// users revoked one by one (RevokeMemberUser).
func revokeReplacedKeys(dataDir, member string, mc *jwt.AccountClaims) error {
	current, err := wire.EnsureCreds(dataDir, member)
	if err != nil {
		return err
	}
	if issued, err := credsUserKey(JWTCredsPath(dataDir, member)); err == nil && issued != current {
		if err := addRevoked(dataDir, member, issued); err != nil {
			return err
		}
	}
	list, err := os.ReadFile(revokedPath(dataDir, member))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("jwt: %w", err)
	}
	for _, pub := range strings.Fields(string(list)) {
		mc.RevokeAt(pub, revokedForever)
	}
	return nil
}

// revokedForever is the revocation time of a revoked user key: the server
// refuses a user JWT issued up to then, so one a member admin signs for
// the key after the revocation is refused too.
var revokedForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// revokedPath lists the revoked user keys of member, one a line.
func revokedPath(dataDir, member string) string {
	return filepath.Join(jwtDir(dataDir), "revoked", member)
}

// addRevoked puts userPub on member's revocation list, once.
func addRevoked(dataDir, member, userPub string) error {
	path := revokedPath(dataDir, member)
	list, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("jwt: %w", err)
	}
	if slices.Contains(strings.Fields(string(list)), userPub) {
		return nil
	}
	return writeSecret(path, append(list, userPub+"\n"...))
}

// RevokeMemberUser revokes one NATS user of member, by its public key (a
// user its admin issued, geneva admin member user): the member's account
// JWT revokes it from the next time the hub applies the MoU (a reload),
// which cuts its connections at once. The member's other users keep
// working. The member's own key is revoked by a rotation instead.
func RevokeMemberUser(dataDir, member, userPub string) error {
	if !nkeys.IsValidPublicUserKey(userPub) {
		return fmt.Errorf("revoke: %q is not a NATS user public key (U...)", userPub)
	}
	if _, err := os.Stat(filepath.Join(jwtDir(dataDir), "accounts", member+".nk")); err != nil {
		return fmt.Errorf("revoke: member %q has no JWT account under %s (jwt_accounts, or geneva-hub cluster-users --jwt)", member, dataDir)
	}
	if current, err := wire.EnsureCreds(dataDir, member); err == nil && current == userPub {
		return fmt.Errorf("revoke: %s is member %s's own key; rotate it instead (docs/operating.md)", userPub, member)
	}
	if userPub == memberAdminKey(dataDir, member) {
		return fmt.Errorf("revoke: %s is member %s's admin user; give it a new key instead: delete %s and reload the hub", userPub, member, memberAdminKeyPath(dataDir, member))
	}
	return addRevoked(dataDir, member, userPub)
}

// UserKey is user, a NATS user public key, or the user key of the JWT
// creds file named user.
func UserKey(user string) (string, error) {
	if nkeys.IsValidPublicUserKey(user) {
		return user, nil
	}
	pub, err := credsUserKey(user)
	if err != nil {
		return "", fmt.Errorf("%q: neither a NATS user public key (U...) nor a creds file with a user JWT: %w", user, err)
	}
	return pub, nil
}

// credsUserKey is the user key of the JWT in a creds file.
func credsUserKey(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok, err := jwt.ParseDecoratedJWT(data)
	if err != nil {
		return "", err
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		return "", err
	}
	return uc.Subject, nil
}

// issueCreds writes name's JWT creds: a user JWT for the NKey of its creds
// file, issued by account with limits (nil: unrestricted).
func issueCreds(dataDir, name string, account nkeys.KeyPair, limits *jwt.UserPermissionLimits) error {
	if _, err := wire.EnsureCreds(dataDir, name); err != nil {
		return err
	}
	data, err := os.ReadFile(wire.CredsPath(dataDir, name))
	if err != nil {
		return fmt.Errorf("creds: %w", err)
	}
	user, err := nkeys.ParseDecoratedNKey(data)
	if err != nil {
		return fmt.Errorf("creds %s: %w", wire.CredsPath(dataDir, name), err)
	}
	creds, err := userCreds(name, name, user, account, "", limits)
	if err != nil {
		return err
	}
	return writeSecret(JWTCredsPath(dataDir, name), creds)
}

// userCreds is a NATS creds file for user, a user name of member (or the
// operator) issued by signer: the account's own key, or a signing key of
// it (issuerAccount, its public key, names the account then). limits nil:
// unrestricted; a scoped signing key's template overrides them anyway.
func userCreds(member, name string, user, signer nkeys.KeyPair, issuerAccount string, limits *jwt.UserPermissionLimits) ([]byte, error) {
	pub, err := user.PublicKey()
	if err != nil {
		return nil, err
	}
	uc := jwt.NewUserClaims(pub)
	uc.Name, uc.IssuerAccount = name, issuerAccount
	switch {
	case limits != nil:
		uc.UserPermissionLimits = *limits
	case issuerAccount != "":
		uc.UserPermissionLimits = jwt.UserPermissionLimits{} // a scoped key's users carry none, not even "no limit"
	}
	tok, err := uc.Encode(signer)
	if err != nil {
		return nil, fmt.Errorf("user jwt %s: %w", member, err)
	}
	seed, err := user.Seed()
	if err != nil {
		return nil, err
	}
	creds, err := jwt.FormatUserConfig(tok, seed)
	if err != nil {
		return nil, err
	}
	return append([]byte("# Geneva hub credentials (NATS user JWT and seed; read with nats.UserCredentials or hub.MemberOptions).\n# member: "+member+"\n"), creds...), nil
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
