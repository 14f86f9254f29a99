package hub_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// A member's admin revokes one of the member's users itself, over the
// member admin service, as its admin user: the user is cut at once and
// refused from then on, the member's other users keep working. Nobody
// else can: not the member's own creds, not a user its admin issued, not
// one issued with permissions widened to the service, not another
// member's admin (neither on this member's subject nor by revoking the key
// in its own account).
func TestMemberAdminRevokesItsOwnUsers(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	sk := mustSigningKey(t, h.Dir, "bank-one")
	issue := func(name string) (*hubtest.Member, string, string) {
		file, pub := issueUserFile(t, sk, name)
		return connectCreds(t, h, "bank-one", file), file, pub
	}
	alice, aliceFile, alicePub := issue("alice")
	bob, _, bobPub := issue("bob")
	admin := connectCreds(t, h, "bank-one", hub.MemberAdminCredsPath(h.Dir, "bank-one"))
	otherAdmin := connectCreds(t, h, "le-alpha", hub.MemberAdminCredsPath(h.Dir, "le-alpha"))
	own := h.Member(t, "bank-one")
	service := wire.MemberAdminService("bank-one")

	t.Run("nobody but the member's admin user", func(t *testing.T) {
		cannotRevoke(t, own, service, alicePub)
		cannotRevoke(t, bob, service, alicePub)
		cannotRevoke(t, alice, service, bobPub)
		cannotRevoke(t, otherAdmin, service, alicePub)
		// le-alpha's admin revoking the key in its own account does
		// nothing to bank-one's user.
		reply := askRevoke(t, otherAdmin, wire.MemberAdminService("le-alpha"), alicePub)
		require.Empty(t, reply.Error)
		works(t, alice)
		works(t, bob)
	})

	t.Run("a user of the signing key claiming the service is refused", func(t *testing.T) {
		creds, err := hub.IssueMemberUserWithPermissions(sk, "eve", []string{service, wire.InboxPrefix("bank-one") + ".>"})
		require.NoError(t, err)
		file := filepath.Join(t.TempDir(), "eve.creds")
		require.NoError(t, os.WriteFile(file, creds, 0o600))
		_, err = h.ConnectCreds("bank-one", file)
		require.ErrorIs(t, err, nats.ErrAuthorization)
	})

	t.Run("the admin revokes one user", func(t *testing.T) {
		reply := askRevoke(t, admin, service, alicePub)
		require.Empty(t, reply.Error)
		require.Equal(t, alicePub, reply.Revoked)
		require.Equal(t, 1, reply.ServersConfirmed)
		waitClosed(t, alice)
		_, err := h.ConnectCreds("bank-one", aliceFile)
		require.ErrorIs(t, err, nats.ErrAuthorization, "the revoked user")
		works(t, bob)
		works(t, own)
	})

	t.Run("bad requests", func(t *testing.T) {
		for req, want := range map[string]string{
			`not json`:                "not a member admin request",
			`{"revoke_user":"alice"}`: "not a NATS user public key",
			fmt.Sprintf(`{"revoke_user":%q}`, ownKey(t, h.Dir, "bank-one")):                             "rotate it instead",
			fmt.Sprintf(`{"revoke_user":%q}`, credsKey(t, hub.MemberAdminCredsPath(h.Dir, "bank-one"))): "admin user's own key",
		} {
			msg, err := admin.NC.Request(service, []byte(req), 10*time.Second)
			require.NoError(t, err)
			var reply wire.MemberAdminReply
			require.NoError(t, json.Unmarshal(msg.Data, &reply))
			require.Contains(t, reply.Error, want, req)
		}
		works(t, bob)
	})
}

// askRevoke asks subject, as m, to revoke userPub.
func askRevoke(t *testing.T, m *hubtest.Member, subject, userPub string) wire.MemberAdminReply {
	t.Helper()
	data, _ := json.Marshal(wire.MemberAdminRequest{RevokeUser: userPub})
	msg, err := m.NC.Request(subject, data, 10*time.Second)
	require.NoError(t, err, "%s: %s", m.ID, subject)
	var reply wire.MemberAdminReply
	require.NoError(t, json.Unmarshal(msg.Data, &reply))
	return reply
}

// cannotRevoke asks subject, as m, to revoke userPub and checks it was not
// done: NATS refuses the publish, nobody answers, or the hub refuses.
func cannotRevoke(t *testing.T, m *hubtest.Member, subject, userPub string) {
	t.Helper()
	inbox := m.NC.NewRespInbox()
	sub, err := m.NC.SubscribeSync(inbox)
	require.NoError(t, err)
	defer func() { _ = sub.Unsubscribe() }()
	before := len(m.Errors())
	data, _ := json.Marshal(wire.MemberAdminRequest{RevokeUser: userPub})
	require.NoError(t, m.NC.PublishRequest(subject, inbox, data))
	require.NoError(t, m.NC.Flush())
	hubtest.Eventually(t, 10*time.Second, func() error {
		for _, err := range m.Errors()[before:] {
			if errors.Is(err, wire.ErrNotPermitted) {
				return nil
			}
		}
		msg, err := sub.NextMsg(10 * time.Millisecond)
		if err != nil {
			return fmt.Errorf("%s: neither refused nor answered on %s", m.ID, subject)
		}
		if msg.Header.Get("Status") == "503" {
			return nil // no responders: nothing there for m
		}
		var reply wire.MemberAdminReply
		if err := json.Unmarshal(msg.Data, &reply); err != nil || reply.Error == "" || reply.Revoked != "" {
			t.Fatalf("%s revoked %s on %s: %s", m.ID, userPub, subject, msg.Data)
		}
		return nil
	})
}

func ownKey(t *testing.T, dataDir, member string) string {
	t.Helper()
	pub, err := wire.EnsureCreds(dataDir, member)
	require.NoError(t, err)
	return pub
}

func credsKey(t *testing.T, credsFile string) string {
	t.Helper()
	pub, err := hub.UserKey(credsFile)
	require.NoError(t, err)
	return pub
}

// On a JWT cluster the admin, on node 2, revokes a user connected to
// node 3: the hub (on node 1) pushes the account to every server before
// it answers, so the user is cut and refused on every node; the member's
// other user, on node 1, keeps working.
func TestMemberAdminRevokesOnJWTCluster(t *testing.T) {
	ic := startIsolatedCluster(t, jwtAccounts)
	sk := mustSigningKey(t, ic.dir, "bank-one")
	files, pubs := map[string]string{}, map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		files[name], pubs[name] = issueUserFile(t, sk, name)
	}
	alice, bob := ic.connect2(t, "bank-one", files["alice"], 2), ic.connect2(t, "bank-one", files["bob"], 0)
	admin := ic.connect2(t, "bank-one", hub.MemberAdminCredsPath(ic.dir, "bank-one"), 1)
	works(t, alice)
	cannotRevoke(t, bob, wire.MemberAdminService("bank-one"), pubs["alice"])

	reply := askRevoke(t, admin, wire.MemberAdminService("bank-one"), pubs["alice"])
	require.Empty(t, reply.Error)
	require.Equal(t, 3, reply.Servers, "the hub knows the three servers")
	ic.waitCutOff(t, alice, files["alice"])
	works(t, bob)
}

// issueUserFile is a creds file for a new user name of sk's member, and
// the user's key.
func issueUserFile(t *testing.T, sk hub.SigningKey, name string) (file, pub string) {
	t.Helper()
	creds, pub, err := hub.IssueMemberUser(sk, name)
	require.NoError(t, err)
	file = filepath.Join(t.TempDir(), name+".creds")
	require.NoError(t, os.WriteFile(file, creds, 0o600))
	return file, pub
}
