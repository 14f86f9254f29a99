package hub_test

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

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
