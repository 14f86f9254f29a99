package hub_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// A member change pushes only the account JWTs whose claims changed:
// suspending one member pushes its (closed) account and the hub account
// (whose exports lose it), nothing else; applying the same MoU again
// pushes nothing; a member admin's revocation pushes that member's
// account alone.
func TestMemberChangePushesOnlyChangedAccounts(t *testing.T) {
	h := hubtest.StartHub(t, withJWTAccounts)
	sys, err := nats.Connect(h.ClientURL(), nats.UserCredentials(hub.JWTCredsPath(h.Dir, hub.SystemUser)))
	require.NoError(t, err)
	defer sys.Close()
	pushes, err := sys.SubscribeSync("$SYS.REQ.CLAIMS.UPDATE")
	require.NoError(t, err)
	require.NoError(t, sys.Flush())
	pushed := func() []string { // the account names pushed since the last call
		t.Helper()
		require.NoError(t, sys.Flush()) // the hub waited for the server's answers: its pushes are in
		var names []string
		for {
			msg, err := pushes.NextMsg(50 * time.Millisecond)
			if err != nil {
				break
			}
			ac, err := jwt.DecodeAccountClaims(string(msg.Data))
			require.NoError(t, err)
			names = append(names, ac.Name)
		}
		slices.Sort(names)
		return names
	}

	mou := *h.MoU()
	mou.Members = append([]policy.Member(nil), mou.Members...)
	mou.Members[memberIndex(t, &mou, "bank-one")].Suspended = true
	require.NoError(t, h.ApplyMoU(context.Background(), &mou))
	require.Equal(t, []string{hub.HubAccount, hub.MemberAccount("bank-one")}, pushed(), "suspending bank-one")

	require.NoError(t, h.ApplyMoU(context.Background(), &mou))
	require.Empty(t, pushed(), "the same MoU again")

	_, alicePub := issueUserFile(t, mustSigningKey(t, h.Dir, "le-alpha"), "alice")
	admin := connectCreds(t, h, "le-alpha", hub.MemberAdminCredsPath(h.Dir, "le-alpha"))
	reply := askRevoke(t, admin, wire.MemberAdminService("le-alpha"), alicePub)
	require.Empty(t, reply.Error)
	require.Equal(t, []string{hub.MemberAccount("le-alpha")}, pushed(), "le-alpha's admin revoking a user")
}

func mustSigningKey(t *testing.T, dataDir, member string) hub.SigningKey {
	t.Helper()
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(dataDir, member))
	require.NoError(t, err)
	return sk
}
