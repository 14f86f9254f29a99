package hub_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// ignoresPayloadLimit makes a client that ignores the max_payload the
// server announces (every INFO's reads as nines, as many digits), as a
// hostile member's would: only the server's own check stops it.
var ignoresPayloadLimit = nats.SetCustomDialer(payloadLimitBlind{})

type payloadLimitBlind struct{}

func (payloadLimitBlind) Dial(network, address string) (net.Conn, error) {
	c, err := net.DialTimeout(network, address, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return payloadLimitBlindConn{c}, nil
}

type payloadLimitBlindConn struct{ net.Conn }

var announcedPayload = regexp.MustCompile(`"max_payload":[0-9]+`)

// Read rewrites the limit in place: an INFO line comes in one read (the
// server writes it at once and the client reads 32 KiB at a time).
func (c payloadLimitBlindConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	for _, at := range announcedPayload.FindAllIndex(p[:n], -1) {
		for i := at[0] + len(`"max_payload":`); i < at[1]; i++ {
			p[i] = '9'
		}
	}
	return n, err
}

// withJWTAccounts runs the embedded server in operator mode.
var withJWTAccounts = hubtest.WithConfig(func(c *hub.Config) { c.JWTAccounts = true })

// TestReplySubjectsReachNothingElse with the embedded server in operator
// mode (jwt_accounts): the members' accounts are JWTs the hub signed.
func TestReplySubjectsReachNothingElseWithJWTAccounts(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	replyAttack(t, connectAll(t, h), h.Member(t, wire.OperatorName))
}

// TestAuthorizationMatrix with the embedded server in operator mode.
func TestAuthorizationMatrixWithJWTAccounts(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	authorizationMatrix(t, connectAll(t, h))
}

// With jwt_accounts a member connects with its JWT creds; its NKey creds
// file alone (no user JWT) is refused: the server trusts only users an
// account the hub signed issued.
func TestJWTAccountsRefuseSeedOnlyCreds(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	works(t, h.Member(t, "bank-one"))
	_, err := h.ConnectCreds("bank-one", wire.CredsPath(h.Dir, "bank-one"))
	require.ErrorIs(t, err, nats.ErrAuthorization)
}

// One user a member's admin issued is revoked alone (hub.RevokeMemberUser,
// then a reload): its connection is cut and it is refused, also with a
// JWT the admin signs for its key afterwards; the member's other users
// and its own creds keep working.
func TestRevokeOneMemberUser(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(h.Dir, "bank-one"))
	require.NoError(t, err)
	issue := func(name string) (string, string) {
		creds, pub, err := hub.IssueMemberUser(sk, name)
		require.NoError(t, err)
		file := filepath.Join(t.TempDir(), name+".creds")
		require.NoError(t, os.WriteFile(file, creds, 0o600))
		return file, pub
	}
	aliceFile, alicePub := issue("alice")
	bobFile, _ := issue("bob")
	alice, bob := connectCreds(t, h, "bank-one", aliceFile), connectCreds(t, h, "bank-one", bobFile)
	works(t, alice)
	works(t, bob)

	require.NoError(t, hub.RevokeMemberUser(h.Dir, "bank-one", alicePub))
	require.NoError(t, h.ApplyMoU(context.Background(), h.MoU()))
	revokedAt := time.Now().Unix()
	waitClosed(t, alice)
	_, err = h.ConnectCreds("bank-one", aliceFile)
	require.ErrorIs(t, err, nats.ErrAuthorization, "the revoked user")
	works(t, bob)
	works(t, h.Member(t, "bank-one"))

	t.Run("a JWT signed for the revoked key afterwards", func(t *testing.T) {
		// JWTs carry their issue time in seconds: sign in a later second
		// than the revocation.
		hubtest.Eventually(t, 2*time.Second, func() error {
			if time.Now().Unix() <= revokedAt {
				return errors.New("still the second of the revocation")
			}
			return nil
		})
		resigned := filepath.Join(t.TempDir(), "alice-again.creds")
		require.NoError(t, os.WriteFile(resigned, hub.ReissueMemberUser(t, sk, aliceFile), 0o600))
		_, err := h.ConnectCreds("bank-one", resigned)
		require.ErrorIs(t, err, nats.ErrAuthorization)
	})

	t.Run("bad input", func(t *testing.T) {
		require.ErrorContains(t, hub.RevokeMemberUser(h.Dir, "bank-one", "alice"), "not a NATS user public key")
		require.ErrorContains(t, hub.RevokeMemberUser(h.Dir, "nobody", alicePub), `member "nobody" has no JWT account`)
		own, err := wire.EnsureCreds(h.Dir, "bank-one")
		require.NoError(t, err)
		require.ErrorContains(t, hub.RevokeMemberUser(h.Dir, "bank-one", own), "rotate it instead")
	})
}

// A suspended member's admin cannot get back in by issuing a new user
// with its signing key: the closed account has no signing keys.
func TestSuspendedMemberAdminIssuesNoUsers(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(h.Dir, "bank-one"))
	require.NoError(t, err)
	mou := *h.MoU()
	mou.Members = append([]policy.Member(nil), mou.Members...)
	mou.Members[memberIndex(t, &mou, "bank-one")].Suspended = true
	require.NoError(t, h.ApplyMoU(context.Background(), &mou))
	creds, _, err := hub.IssueMemberUser(sk, "mallory")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "mallory.creds")
	require.NoError(t, os.WriteFile(file, creds, 0o600))
	_, err = h.ConnectCreds("bank-one", file)
	require.ErrorIs(t, err, nats.ErrAuthorization)
}

// connectCreds connects as id with credsFile, closed when t ends.
func connectCreds(t *testing.T, h *hubtest.Hub, id, credsFile string) *hubtest.Member {
	t.Helper()
	m, err := h.ConnectCreds(id, credsFile)
	require.NoError(t, err, "%s with %s", id, credsFile)
	t.Cleanup(m.NC.Close)
	return m
}

// Switching jwt_accounts on keeps the hub's data (the hub account's
// JetStream files move to its key's name) and every member's key (its
// JWT creds are for the NKey it had); switching it off again moves them
// back. A restart in operator mode keeps everything too (the resolver's
// directory is reused).
func TestJWTAccountsSwitchKeepsTheData(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	shareGreenToAll(t, h)
	require.NoError(t, h.Stop())

	for i, jwtOn := range []bool{true, true, false} {
		h = hubtest.StartHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) { c.JWTAccounts = jwtOn }))
		op := h.Member(t, wire.OperatorName)
		res, err := audit.Verify(ctx(t), op.JS, wire.StreamAudit)
		require.NoError(t, err, "start %d (jwt_accounts %v)", i+1, jwtOn)
		require.Equal(t, uint64(1+i), res.Records, "start %d: the audit chain is there", i+1)
		bank := h.Member(t, "bank-one")
		bank.Submit(t, []byte(`{}`), wire.SubmitOptions{})
		require.Equal(t, "bank-one", bank.NextReceipt(t, 10*time.Second).Member)
		require.NoError(t, h.Stop())
	}
	seed, err := os.ReadFile(wire.CredsPath(dir, "bank-one"))
	require.NoError(t, err)
	withJWT, err := os.ReadFile(hub.JWTCredsPath(dir, "bank-one"))
	require.NoError(t, err)
	k1, err := nkeys.ParseDecoratedNKey(seed)
	require.NoError(t, err)
	k2, err := nkeys.ParseDecoratedNKey(withJWT)
	require.NoError(t, err)
	p1, _ := k1.PublicKey()
	p2, _ := k2.PublicKey()
	require.Equal(t, p1, p2, "the member kept its key")
}

// On a JWT cluster a revocation is pushed to every server: the revoked
// user, connected to a node other than the hub's, is cut and refused on
// every node; the member's other user on a third node keeps working.
func TestRevokeOneMemberUserOnJWTCluster(t *testing.T) {
	ic := startIsolatedCluster(t, jwtAccounts)
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(ic.dir, "bank-one"))
	require.NoError(t, err)
	files := map[string]string{}
	var alicePub string
	for _, name := range []string{"alice", "bob"} {
		creds, pub, err := hub.IssueMemberUser(sk, name)
		require.NoError(t, err)
		files[name] = filepath.Join(t.TempDir(), name+".creds")
		require.NoError(t, os.WriteFile(files[name], creds, 0o600))
		if name == "alice" {
			alicePub = pub
		}
	}
	alice, bob := ic.connect2(t, "bank-one", files["alice"], 1), ic.connect2(t, "bank-one", files["bob"], 2)
	works(t, alice)

	require.NoError(t, hub.RevokeMemberUser(ic.dir, "bank-one", alicePub))
	ic.apply(t, func(*policy.MoU) {})
	ic.waitCutOff(t, alice, files["alice"])
	works(t, bob)
	works(t, ic.members["bank-one"])
}

// Only the hub's system user pushes account JWTs: a member, with its own
// creds or a user its admin issued, cannot publish to the resolver's
// subjects, so it cannot give its account imports of its own choosing.
func TestMembersCannotPushAccountJWTs(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(h.Dir, "bank-one"))
	require.NoError(t, err)
	creds, _, err := hub.IssueMemberUser(sk, "alice")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "alice.creds")
	require.NoError(t, os.WriteFile(file, creds, 0o600))
	for _, m := range []*hubtest.Member{h.Member(t, "bank-one"), connectCreds(t, h, "bank-one", file)} {
		for _, subject := range []string{"$SYS.REQ.CLAIMS.UPDATE", "$SYS.REQ.ACCOUNT." + sk.Account + ".CLAIMS.UPDATE",
			"$SYS.ACCOUNT." + sk.Account + ".CLAIMS.UPDATE", "$SYS.REQ.CLAIMS.DELETE"} {
			refusedPub(t, m, "push an account JWT", subject)
		}
	}
}

// The MoU's quotas hold with JWT accounts: NATS account limits from the
// account JWT (message size, connections) and the hub's gate (rate),
// which the member's account imports its submit subject from.
func TestQuotasWithJWTAccounts(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithMoU(quotaMoU(t)), withJWTAccounts)
	// As a hostile member's client would, this one ignores the account's
	// payload limit that any INFO after the first carries (nats-server's
	// generateClientInfoJSON; a client that got one refused the message
	// itself, once under scripts/stress.sh): the server must refuse it.
	isp, err := h.Connect("isp-two", ignoresPayloadLimit)
	require.NoError(t, err)
	t.Cleanup(isp.NC.Close)
	_, err = isp.JS.PublishMsg(ctx(t), wire.SubmitMsg("isp-two", make([]byte, 5000), wire.SubmitOptions{}))
	require.ErrorIs(t, err, nats.ErrConnectionClosed)
	require.ErrorContains(t, isp.NC.LastError(), "Maximum Payload Violation")
	in, err := h.Member(t, wire.OperatorName).JS.Stream(ctx(t), wire.IntakeStream("isp-two"))
	require.NoError(t, err)
	require.Zero(t, in.CachedInfo().State.Msgs, "nothing stored")
	works(t, h.Member(t, "isp-two")) // the closed connection is gone: two allowed
	works(t, h.Member(t, "isp-two"))
	_, err = h.Connect("isp-two")
	require.ErrorContains(t, err, "maximum account active connections exceeded")

	bank := h.Member(t, "bank-one")
	refused := 0
	for i := range 60 { // a burst of 20, then 5/s
		_, err := bank.JS.PublishMsg(ctx(t), wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("q", i)}))
		if err != nil {
			require.ErrorContains(t, err, string(hub.CodeQuotaRate)+": ")
			refused++
		}
	}
	require.Positive(t, refused, "beyond the burst, submissions are refused")
}

// A member id the hub uses for itself is refused, at start and at a
// reload (the MoU in force stays): with JWT accounts a member "geneva"
// would get the hub account's key, and "operator" the operator's creds.
func TestReservedMemberIDsAreRefused(t *testing.T) {
	for _, id := range []string{hub.HubAccount, wire.OperatorName} {
		mou := policy.DemoMoU()
		mou.Members[memberIndex(t, mou, "cert-three")].ID = id
		_, err := hub.New(hub.Config{DataDir: t.TempDir(), NATSListen: "127.0.0.1:-1", HTTPListen: "off", MoU: mou, JWTAccounts: true})
		require.ErrorContains(t, err, fmt.Sprintf("members[%d].id: %q is reserved for the hub itself", memberIndex(t, mou, id), id))
	}
	h := hubtest.StartHub(t, withJWTAccounts)
	mou := *h.MoU()
	mou.Members = append([]policy.Member(nil), mou.Members...)
	nm := mou.Members[memberIndex(t, &mou, "cert-three")]
	nm.ID, nm.Identity = hub.HubAccount, "identity--5d5e8b0e-0c6a-4c44-9d0b-3f6f8e0e6a41"
	mou.Members = append(mou.Members, nm)
	require.ErrorContains(t, h.ApplyMoU(context.Background(), &mou), "is reserved for the hub itself")
	require.Len(t, h.MoU().Members, len(policy.DemoMoU().Members), "the MoU in force stays")
	works(t, h.Member(t, "cert-three"))
}

// A worker node reaches an embedded hub with JWT accounts with the
// operator's JWT creds, and decides for it.
func TestWorkerNodeWithJWTAccounts(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts, hubtest.WithConfig(func(c *hub.Config) { c.WorkerNodesOnly = true }))
	startWorkerNode(t, h)
	works(t, h.Member(t, "bank-one"))
}
