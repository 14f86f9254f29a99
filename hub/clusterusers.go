package hub

import (
	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// ClusterAccounts is the nats-server configuration every server of a
// cluster needs for the hub in cluster mode (an accounts block, included at
// the top level of each server's file): the same accounts as the embedded
// server's (accountsConfig), the hub account with the operator's NKey
// user, without restrictions, and each member that is not suspended in
// its own account, as an NKey user with its permissions. So a member is
// isolated on whichever node it connects to. Creds files missing under
// dataDir are created, as the hub does.
func ClusterAccounts(dataDir string, mou *policy.MoU, maxPayload int32) (string, error) {
	return ClusterAccountsInDomain(dataDir, mou, maxPayload, "")
}

// ClusterAccountsInDomain is ClusterAccounts for a cluster in JetStream
// domain (its servers' jetstream {domain: ...}), whose members may
// connect through leaf nodes: each member may also reach its JetStream
// API subjects under the domain's prefix (clusterdomain.go).
func ClusterAccountsInDomain(dataDir string, mou *policy.MoU, maxPayload int32, domain string) (string, error) {
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	nkeys, names, err := clusterUsers(dataDir, mou, domain)
	if err != nil {
		return "", err
	}
	users := map[string][]accountUser{}
	for _, u := range nkeys {
		acc := HubAccount
		if u.Permissions != nil {
			acc = MemberAccount(names[u.Nkey])
		}
		users[acc] = append(users[acc], accountUser{nkey: u.Nkey, name: names[u.Nkey], permissions: u.Permissions})
	}
	return "# NATS accounts of a Geneva hub in cluster mode (geneva-hub cluster-users); include this file at the top\n" +
		"# level of every server's configuration, the same file on every server; regenerate it after every MoU\n" +
		"# change and reload every server (docs/operating.md \"Cluster\").\n" + accountsConfig(mou, maxPayload, users, domain), nil
}

// ClusterUsers are the NKey users of ClusterAccounts: the operator,
// without restrictions, and every member that is not suspended, with its
// permissions. Creds files missing under dataDir are created, as the hub
// does. names maps each NKey to its member (or OperatorName). Given to a
// server without ClusterAccounts' accounts, the members would share one
// account with the hub's JetStream and not be isolated from it.
func ClusterUsers(dataDir string, mou *policy.MoU) (users []*server.NkeyUser, names map[string]string, err error) {
	return clusterUsers(dataDir, mou, "")
}

func clusterUsers(dataDir string, mou *policy.MoU, domain string) (users []*server.NkeyUser, names map[string]string, err error) {
	opPub, err := wire.EnsureCreds(dataDir, wire.OperatorName)
	if err != nil {
		return nil, nil, err
	}
	users, names = []*server.NkeyUser{{Nkey: opPub}}, map[string]string{opPub: wire.OperatorName}
	for _, m := range mou.Members {
		pub, err := wire.EnsureCreds(dataDir, m.ID)
		if err != nil {
			return nil, nil, err
		}
		if m.Suspended {
			continue
		}
		users = append(users, &server.NkeyUser{Nkey: pub, Permissions: memberPermissionsIn(m.ID, domain)})
		names[pub] = m.ID
	}
	return users, names, nil
}
