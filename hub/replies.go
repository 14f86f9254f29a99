package hub

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/genevahub/geneva/hub/wire"
)

// serviceReplyPrefix is where the server sends the answers to a request
// that came through a service import: it rewrites the member's reply
// subject to a fresh _R_.<...> that routes back to the member only.
const serviceReplyPrefix = "_R_."

// hubInboxPrefix is the reply prefix of the hub account's own clients
// (the operator's CLI, worker nodes): nats.go's default.
const hubInboxPrefix = "_INBOX."

// serve wraps a handler of a hub service so that it answers only on a
// reply subject in the asking member's reply space; anything else is
// refused, counted in geneva_refused_replies_total{member} and logged.
// NATS does not check publish permissions on reply subjects, and the hub
// answers from the account that holds every stream: a reply subject such
// as $JS.API.STREAM.DELETE.GENEVA_AUDIT would make the hub's answer a
// request. Member accounts make the server choose the reply subject;
// this check holds even if an account is ever misconfigured.
//
// The requests let through are answered by a fairQueue (fairqueue.go), a
// few at a time and the askers in turn, so a member flooding the service
// delays itself only.
func (h *Hub) serve(service string, handle nats.MsgHandler) nats.MsgHandler {
	return h.serveQueued(service, serviceWorkers, handle)
}

// serveQueued is serve with at most workers requests handled at once.
func (h *Hub) serveQueued(service string, workers int, handle nats.MsgHandler) nats.MsgHandler {
	q := newFairQueue(workers, serviceWaiting, handle)
	var dropped atomic.Int64
	return h.screen(service, func(member string, msg *nats.Msg) {
		if q.add(member, msg) {
			return
		}
		if n := dropped.Add(1); n%droppedLogEvery == 1 {
			h.log.Warn("refused a request: too many of the asker's requests waiting",
				"service", service, "member", member, "waiting", serviceWaiting, "refused_so_far", n)
		}
		if msg.Reply != "" { // every service's reply has this error field
			_ = msg.Respond(busyReply)
		}
	})
}

// busyReply answers a request over its asker's waiting line.
var busyReply, _ = json.Marshal(struct {
	Error string `json:"error"`
}{fmt.Sprintf("busy: %d of this member's requests to this service are already waiting; ask again when they are answered", serviceWaiting)})

// screen calls handle, on the subscription's goroutine, with the asking
// member of each request whose reply subject is in that member's reply
// space (replyAllowed); it refuses the others, counted and logged. The
// submission gate uses it directly: its handler is quick.
func (h *Hub) screen(service string, handle func(member string, msg *nats.Msg)) nats.MsgHandler {
	return func(msg *nats.Msg) {
		member, ok := replyAllowed(msg)
		if !ok {
			h.metrics.RefusedReply(member)
			h.log.Warn("refused a reply subject outside the asker's reply space",
				"service", service, "member", member, "reply", msg.Reply)
			return
		}
		handle(member, msg)
	}
}

// replyAllowed names the asking member ("" for the hub account) and says
// whether msg's reply subject is in its reply space: the server's _R_.
// for a request through a member's service import (the server sets the
// Nats-Request-Info header, naming the member's account, over anything
// the member sent); for the hub
// account's own clients their _INBOX., or a member's private inbox prefix
// in a shared account (the layout before member accounts). A request
// without a reply subject needs no answer and is let through.
func replyAllowed(msg *nats.Msg) (member string, ok bool) {
	subjectMember := memberOfSubject(msg.Subject)
	if msg.Reply == "" {
		return subjectMember, true
	}
	var info askerInfo
	if hdr := msg.Header.Get(server.ClientInfoHdr); hdr != "" && json.Unmarshal([]byte(hdr), &info) == nil {
		if m, imported := strings.CutPrefix(info.Account, MemberAccount("")); imported {
			return m, strings.HasPrefix(msg.Reply, serviceReplyPrefix) && (subjectMember == "" || subjectMember == m)
		}
		if nkeys.IsValidPublicAccountKey(info.Account) {
			// A JWT account (ClusterJWT) is named by its key: a per-member
			// subject is imported by that member's account only, so the
			// subject names the member; a shared service is counted under
			// the key.
			if subjectMember == "" {
				subjectMember = info.Account
			}
			return subjectMember, strings.HasPrefix(msg.Reply, serviceReplyPrefix)
		}
	}
	return subjectMember, strings.HasPrefix(msg.Reply, hubInboxPrefix) ||
		(subjectMember != "" && strings.HasPrefix(msg.Reply, wire.InboxPrefix(subjectMember)+"."))
}

// askerInfo is the one field of the server's Nats-Request-Info header
// (server.ClientInfo) the hub reads. Decoding only it skips the times,
// durations and tags of the whole struct: a third of the cost, and this
// runs for every submission the gate sees.
type askerInfo struct {
	Account string `json:"acc"`
}

// memberOfSubject is the member a per-member service subject names
// (geneva.svc.<service>.<member>), "" for a shared service.
func memberOfSubject(subject string) string {
	for _, svc := range []string{wire.SubscribeService(""), wire.ReceiptsService(""), wire.RequestsService(""), wire.SubmittedService(""), wire.MoUService(""), wire.MemberAdminService(""), gateSubject("")} {
		if m, ok := strings.CutPrefix(subject, svc); ok {
			return m
		}
	}
	return ""
}
