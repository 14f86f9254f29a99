package hub

import (
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
