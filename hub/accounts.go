package hub

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/policy"
)

// HubAccount is the NATS account of the hub, its operator and worker
// nodes: it alone has JetStream. Each member has its own account
// (MemberAccount) that imports only what memberReach lists, so nothing a
// member publishes, reply subjects included, reaches the hub's streams.
const HubAccount = "geneva"

// MemberAccount is member m's NATS account.
func MemberAccount(m string) string { return "member-" + m }

// memberAccounts builds the hub account and one account per active
// member of mou, with the hub account's exports and each member's
// imports, from the same configuration a cluster's servers load
// (accountsConfig). Suspended members get no account (their users are
// gone too).
func memberAccounts(mou *policy.MoU, maxPayload int32) (hubAcc *server.Account, members map[string]*server.Account, err error) {
	o := &server.Options{}
	if err := o.ProcessConfigString(accountsConfig(mou, maxPayload, nil, "")); err != nil {
		return nil, nil, fmt.Errorf("nats accounts: %w", err)
	}
	members = map[string]*server.Account{}
	for _, a := range o.Accounts {
		if a.Name == HubAccount {
			hubAcc = a
		} else if m, ok := strings.CutPrefix(a.Name, MemberAccount("")); ok {
			members[m] = a
		}
	}
	if hubAcc == nil {
		return nil, nil, fmt.Errorf("nats accounts: no account %s", HubAccount)
	}
	return hubAcc, members, nil
}

// accountUser is an NKey user of an account in a cluster's configuration;
// nil permissions: unrestricted (the operator).
type accountUser struct {
	nkey, name  string
	permissions *server.Permissions
}

// accountsConfig is nats-server configuration (an accounts block) for the
// hub account and one account per member of mou that is not suspended:
// the hub account alone has JetStream and exports each reach of
// memberReach to that member's account only; the member's account imports
// exactly those, under the same subjects, with NATS account limits from
// its quota (connections, subscriptions per connection, the largest
// message, never above maxPayload). users lists each account's users by
// account name (a cluster's servers); the embedded server binds its users
// itself and passes nil. Services are imported, so the server rewrites
// every reply subject to _R_... (the server adds a Nats-Request-Info
// header naming the asking account; sharing more of the user is not
// needed).
func accountsConfig(mou *policy.MoU, maxPayload int32, users map[string][]accountUser, domain string) string {
	var exports []string              // in order of first use
	exportTo := map[string][]string{} // export → the accounts it is granted to
	export := func(e, acc string) {
		if _, ok := exportTo[e]; !ok {
			exports = append(exports, e)
		}
		exportTo[e] = append(exportTo[e], acc)
	}
	var members strings.Builder
	for _, m := range mou.Members {
		if m.Suspended {
			continue
		}
		acc, q := MemberAccount(m.ID), mou.QuotaOf(m.ID)
		var imports []string
		for _, r := range append(memberReach(m.ID), reach{jsInfoSink, service}) {
			local := r.subject
			if r.subject == jsInfoSink {
				local = jsInfoSubject
			}
			from := "{account: " + confString(HubAccount) + ", subject: " + confString(r.hubSubject()) + "}"
			switch r.kind {
			case delivery:
				export("stream: "+confString(r.hubSubject()), acc)
				imports = append(imports, "{stream: "+from+"}")
			default:
				rt := "singleton"
				if r.kind == jetStreamStreamed {
					rt = "stream"
				}
				export("service: "+confString(r.hubSubject())+", response_type: "+rt, acc)
				imports = append(imports, "{service: "+from+", to: "+confString(local)+"}")
				if d := inDomain(local, domain); d != "" { // across a leaf node (clusterdomain.go)
					imports = append(imports, "{service: "+from+", to: "+confString(d)+"}")
				}
			}
		}
		// Leaf node connections (partner sites) are counted apart from
		// clients: the same quota bounds them.
		fmt.Fprintf(&members, "  %s: {\n    limits: {max_connections: %d, max_leafnodes: %d, max_subscriptions: %d, max_payload: %d}\n    imports: [\n      %s\n    ]\n%s  }\n",
			confString(acc), q.Connections, q.Connections, q.Subscriptions, min(int64(q.MaxSubmissionBytes), int64(maxPayload)),
			strings.Join(imports, "\n      "), usersConfig(users[acc]))
	}
	for i, e := range exports {
		exports[i] = "{" + e + ", accounts: " + confString(exportTo[e]) + "}"
	}
	return fmt.Sprintf("accounts: {\n  %s: {\n    jetstream: enabled\n    exports: [\n      %s\n    ]\n%s  }\n%s}\n",
		confString(HubAccount), strings.Join(exports, "\n      "), usersConfig(users[HubAccount]), members.String())
}

// usersConfig is the users line of an account block, "" for none.
func usersConfig(users []accountUser) string {
	if len(users) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("    users: [\n")
	for _, u := range users {
		b.WriteString("      {nkey: " + confString(u.nkey))
		if p := u.permissions; p != nil {
			b.WriteString(", permissions: {publish: {allow: " + confString(p.Publish.Allow) + "}, subscribe: {allow: " + confString(p.Subscribe.Allow) + "}}")
		}
		b.WriteString("} # " + u.name + "\n")
	}
	return b.String() + "    ]\n"
}

// confString is v (a string or a list of strings) as nats-server
// configuration: JSON strings, which the config parser reads literally
// ($ included), without HTML escapes.
func confString(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsInfoSink is a hub-account subject nobody serves: a member's
// $JS.API.INFO goes there and gets "no responders".
const jsInfoSink = "geneva.none.jsinfo"

// jsInfoSubject is imported to jsInfoSink in every member account
// (accountsConfig): it keeps the server from giving an account
// without JetStream its default import of the whole $JS.API.> from the
// system account, which answers "JetStream not enabled" to every API
// request, the imported consumer requests included, and whose answer
// arrives first. The server skips that import when an import covers
// $JS.API.INFO.
const jsInfoSubject = "$JS.API.INFO"

// registerNewAccounts registers, empty, the accounts of opts the running
// server does not know yet, so that the reload fills them in as existing
// accounts. nats-server 2.15 subscribes the service imports of an account
// a reload creates nowhere: a new member's requests found no responders
// (TestReload "a new member can connect at once").
func registerNewAccounts(srv *server.Server, opts *server.Options) error {
	for _, a := range opts.Accounts {
		if _, err := srv.LookupAccount(a.Name); err == nil {
			continue
		}
		if _, err := srv.RegisterAccount(a.Name); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
	}
	return nil
}
