package hub

import (
	"fmt"

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

// newHubAccount is the hub account with JetStream enabled (without account
// limits).
func newHubAccount() (*server.Account, error) {
	return parsedAccount(HubAccount, "jetstream: enabled")
}

// newMemberAccount is member m's account, without JetStream, with NATS's
// account limits set from its quota: connections, subscriptions per
// connection and the largest message (never above the hub's max_payload).
func newMemberAccount(m string, q policy.Quota, maxPayload int32) (*server.Account, error) {
	return parsedAccount(MemberAccount(m), fmt.Sprintf("limits: { max_connections: %d, max_subscriptions: %d, max_payload: %d }",
		q.Connections, q.Subscriptions, min(int64(q.MaxSubmissionBytes), int64(maxPayload))))
}

// parsedAccount builds account name from a config body: the server keeps
// "JetStream enabled" and account limits in fields only its config parser
// sets.
func parsedAccount(name, body string) (*server.Account, error) {
	o := &server.Options{}
	if err := o.ProcessConfigString(fmt.Sprintf("accounts { %q: { %s } }", name, body)); err != nil {
		return nil, fmt.Errorf("account %s: %w", name, err)
	}
	for _, a := range o.Accounts {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("account %s: not in its own config", name)
}

// memberAccounts builds the hub account and one account per active
// member of mou, with the hub account's exports and each member's
// imports. Suspended members get no account (their users are gone too).
func memberAccounts(mou *policy.MoU, maxPayload int32) (hubAcc *server.Account, members map[string]*server.Account, err error) {
	if hubAcc, err = newHubAccount(); err != nil {
		return nil, nil, err
	}
	members = map[string]*server.Account{}
	for _, m := range mou.Members {
		if m.Suspended {
			continue
		}
		acc, err := newMemberAccount(m.ID, mou.QuotaOf(m.ID), maxPayload)
		if err == nil {
			err = connect(hubAcc, acc, memberReach(m.ID))
		}
		if err == nil {
			err = shadowJetStreamAPI(hubAcc, acc)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("member %q account: %w", m.ID, err)
		}
		members[m.ID] = acc
	}
	return hubAcc, members, nil
}

// connect exports each reach from the hub account to acc only and imports
// it into acc under the member's subject. The server adds a Nats-Request-Info
// header naming the asking account to every request through an import;
// sharing more of the user (its address, name) is not needed.
func connect(hubAcc, acc *server.Account, rs []reach) error {
	only := []*server.Account{acc}
	for _, r := range rs {
		var err error
		switch r.kind {
		case service, jetStream, jetStreamStreamed, gated:
			rt := server.Singleton
			if r.kind == jetStreamStreamed {
				rt = server.Streamed
			}
			if err = hubAcc.AddServiceExportWithResponse(r.hubSubject(), rt, only); err == nil {
				err = acc.AddServiceImport(hubAcc, r.subject, r.hubSubject())
			}
		case delivery:
			if err = hubAcc.AddStreamExport(r.subject, only); err == nil {
				err = acc.AddStreamImport(hubAcc, r.subject, "")
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.subject, err)
		}
	}
	return nil
}

// jsInfoSink is a hub-account subject nobody serves: a member's
// $JS.API.INFO goes there and gets "no responders".
const jsInfoSink = "geneva.none.jsinfo"

// shadowJetStreamAPI keeps the server from giving acc, which has no
// JetStream, its default import of the whole $JS.API.> from the system
// account: that import answers "JetStream not enabled" to every API
// request, the imported consumer requests included, and its answer
// arrives first. The server skips it when an import covers $JS.API.INFO.
func shadowJetStreamAPI(hubAcc, acc *server.Account) error {
	if err := hubAcc.AddServiceExport(jsInfoSink, []*server.Account{acc}); err != nil {
		return err
	}
	return acc.AddServiceImport(hubAcc, "$JS.API.INFO", jsInfoSink)
}

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
