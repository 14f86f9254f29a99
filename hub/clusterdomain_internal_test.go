package hub

import (
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

// The account JWTs the hub pushes after cluster-users --jwt --domain (at
// its start and at every MoU change, accountJWTs) keep each member's
// domain imports and its users' permission to publish them: a push
// without them would cut every leaf node site off the hub's JetStream.
// cluster-users --jwt without --domain drops them again.
func TestPushedAccountJWTsKeepTheDomain(t *testing.T) {
	dir := t.TempDir()
	mou := policy.DemoMoU()
	next := "$JS.geneva.API.CONSUMER.MSG.NEXT.GENEVA_SHARE.inbox_bank-one"
	pushed := func() (imports, publish []string) {
		op, jwts, err := accountJWTs(dir, mou, DefaultMaxPayload)
		require.NoError(t, err)
		for pub, tok := range jwts {
			if pub == op.sysPub || pub == op.hubPub {
				continue
			}
			ac, err := jwt.DecodeAccountClaims(tok)
			require.NoError(t, err)
			if ac.Name != MemberAccount("bank-one") {
				continue
			}
			for _, imp := range ac.Imports {
				imports = append(imports, string(imp.LocalSubject))
			}
			for _, s := range ac.SigningKeys {
				publish = append(publish, s.(*jwt.UserScope).Template.Pub.Allow...)
			}
		}
		return imports, publish
	}

	_, err := ClusterJWTInDomain(dir, mou, DefaultMaxPayload, "geneva")
	require.NoError(t, err)
	imports, publish := pushed()
	require.Contains(t, imports, next)
	require.Contains(t, publish, next)

	_, err = ClusterJWTInDomain(dir, mou, DefaultMaxPayload, "")
	require.NoError(t, err)
	imports, publish = pushed()
	require.NotContains(t, imports, next)
	require.NotContains(t, publish, next)
	require.Contains(t, imports, "$JS.API.CONSUMER.MSG.NEXT.GENEVA_SHARE.inbox_bank-one")
}
