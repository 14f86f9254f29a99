package hub

import (
	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/policy"
)

// ClusterUsers are the NKey users a test cluster's servers need for the
// hub in cluster mode: the operator (creds written under dataDir) and
// every member with the permissions the embedded server gives it.
func ClusterUsers(dataDir string, mou *policy.MoU) ([]*server.NkeyUser, error) {
	opPub, err := ensureCreds(dataDir, OperatorName)
	if err != nil {
		return nil, err
	}
	users := []*server.NkeyUser{{Nkey: opPub}}
	for _, m := range mou.Members {
		pub, err := ensureCreds(dataDir, m.ID)
		if err != nil {
			return nil, err
		}
		users = append(users, &server.NkeyUser{Nkey: pub, Permissions: memberPermissions(m.ID)})
	}
	return users, nil
}
