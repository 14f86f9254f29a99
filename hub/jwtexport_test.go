package hub

import (
	"os"
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// IssueMemberUserWithPermissions is IssueMemberUser with publish and
// subscribe permissions pub written into the user's JWT, as a member
// admin overstepping its scope would.
func IssueMemberUserWithPermissions(sk SigningKey, name string, pub []string) ([]byte, error) {
	user, err := nkeys.CreateUser()
	if err != nil {
		return nil, err
	}
	return userCreds(sk.Member, name, user, sk.Key, sk.Account,
		&jwt.UserPermissionLimits{Permissions: jwt.Permissions{Pub: jwt.Permission{Allow: pub}, Sub: jwt.Permission{Allow: pub}}})
}

// ReissueMemberUser is a new user JWT, signed with sk, for the key of the
// creds file credsFile: what a member admin who kept a user's seed could
// sign after the user was revoked.
func ReissueMemberUser(t testing.TB, sk SigningKey, credsFile string) []byte {
	t.Helper()
	data, err := os.ReadFile(credsFile)
	if err != nil {
		t.Fatal(err)
	}
	user, err := jwt.ParseDecoratedUserNKey(data)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := userCreds(sk.Member, "again", user, sk.Key, sk.Account, nil)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}
