package hub

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// ClusterUsers are the NATS users a cluster needs for the hub in cluster
// mode, as the embedded server has them (withUsers): the operator, without
// restrictions, and every member that is not suspended, with its
// permissions. Creds files missing under dataDir are created, as the hub
// does. names maps each NKey to its member (or OperatorName).
func ClusterUsers(dataDir string, mou *policy.MoU) (users []*server.NkeyUser, names map[string]string, err error) {
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
		users = append(users, &server.NkeyUser{Nkey: pub, Permissions: memberPermissions(m.ID)})
		names[pub] = m.ID
	}
	return users, names, nil
}

// WriteClusterUsers writes users as nats-server configuration: the body of
// an authorization block (authorization { include users.conf }).
func WriteClusterUsers(w io.Writer, users []*server.NkeyUser, names map[string]string) error {
	q := func(v any) string { // JSON strings are NATS config strings, without HTML escapes
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return strings.TrimSuffix(b.String(), "\n")
	}
	if _, err := fmt.Fprintln(w, "# NATS users of a Geneva hub in cluster mode (geneva-hub cluster-users); regenerate after every MoU change\n"+
		"# WARNING: members share the hub's account here, so they are not isolated from its JetStream\n"+
		"# (docs/operating.md, Cluster): use cluster mode only with members you trust with the hub's state.\nusers = ["); err != nil {
		return err
	}
	for _, u := range users {
		line := "  {nkey: " + q(u.Nkey)
		if p := u.Permissions; p != nil {
			line += ", permissions: {publish: {allow: " + q(p.Publish.Allow) + "}, subscribe: {allow: " + q(p.Subscribe.Allow) + "}}"
		}
		if _, err := fmt.Fprintf(w, "%s} # %s\n", line, names[u.Nkey]); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, "]")
	return err
}
