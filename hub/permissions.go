package hub

import (
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/hub/wire"
)

// reachKind says how a member reaches a subject of the hub account.
type reachKind int

const (
	// service: a request to one of the hub's own services, answered once
	// (a service import: the server rewrites the reply subject to _R_...,
	// so a member can no longer choose where the answer goes; its
	// Nats-Request-Info header names the member's account).
	service reachKind = iota
	// jetStream: a JetStream API call or ack, or a publish to a stream,
	// answered once (a service import too).
	jetStream
	// jetStreamStreamed: like jetStream, with any number of answers (a
	// pull delivers a batch, then a status).
	jetStreamStreamed
	// delivery: the hub account publishes, the member subscribes (a
	// stream import).
	delivery
	// gated: a publish to the member's intake, through the hub's
	// gate (gate.go): a service import of the gate's subject, answered
	// once, by the intake's PubAck or the gate's refusal.
	gated
)

// reach is one subject of the hub account a member may reach. The member
// sees it under the same name in its own account.
type reach struct {
	subject string
	kind    reachKind
}

// hubSubject is where r arrives in the hub account: a submission at the
// hub's gate, anything else under its own name.
func (r reach) hubSubject() string {
	if r.kind == gated {
		return gateSubject(strings.TrimPrefix(r.subject, wire.SubmitSubject("")))
	}
	return r.subject
}

// memberReach is everything member m may reach in the hub account, and
// the ONLY list of it: the member's NATS account imports exactly these
// (accounts.go), and its publish/subscribe permissions are derived from
// them (memberPermissions). To add a member-facing service, add its
// subject here as a service (a per-member subject such as
// geneva.svc.<name>.<m> tells the handler who asks) and serve it on the
// hub connection wrapped in h.serve (replies.go).
//
// Nothing else: no consumer creation anywhere (on a shared stream one
// filter of geneva.> would read everyone's traffic), no stream API, no
// audit, no other member's subjects (DESIGN.md "Security model").
func memberReach(m string) []reach {
	r := []reach{
		// Submit through the hub's gate (gate.go) to its own intake: the
		// PubAck, or the gate's refusal over quota, answers.
		{wire.SubmitSubject(m), gated},
		{wire.SubjectDirectory, service},
		{wire.SubscribeService(m), service},
		{wire.ReceiptsService(m), service},
		{wire.RequestsService(m), service},       // its requests for assistance (requesttrack.go)
		{wire.SubmittedService(m), service},      // has the hub its submission? (submitted.go)
		{wire.MoUService(m), service},            // the MoU in force, for its pre-flight (mouservice.go)
		{wire.DeliverPrefix(m) + ".>", delivery}, // its real-time subscriptions and receipt views
	}
	// Its two hub-created consumers: exact names, no wildcard that could
	// match another member's (the cross-account JetStream consumer pattern).
	for _, c := range []struct{ stream, consumer string }{
		{wire.StreamShare, wire.InboxConsumer(m)},
		{wire.StreamReceipt, wire.ReceiptConsumer(m)},
	} {
		r = append(r,
			reach{consumerNext(c.stream, c.consumer), jetStreamStreamed},
			reach{consumerInfo(c.stream, c.consumer), jetStream},
			reach{consumerAck(c.stream, c.consumer), jetStream},
		)
	}
	return r
}

// memberPermissions repeat memberReach as NATS permissions inside the
// member's own account (defence in depth, and the source of the "not
// permitted" errors a member's client sees): publish what it may ask,
// receive only on its private inbox prefix and its delivery subjects.
func memberPermissions(m string) *server.Permissions { return memberPermissionsIn(m, "") }

// memberPermissionsIn is memberPermissions with the JetStream API subjects
// also under domain's prefix, for a leaf node (clusterdomain.go).
func memberPermissionsIn(m, domain string) *server.Permissions {
	var pub []string
	sub := []string{wire.InboxPrefix(m) + ".>"}
	for _, r := range memberReach(m) {
		if r.kind == delivery {
			sub = append(sub, r.subject)
		} else {
			pub = append(pub, r.subject)
			if d := inDomain(r.subject, domain); d != "" {
				pub = append(pub, d)
			}
		}
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: pub},
		Subscribe: &server.SubjectPermission{Allow: sub},
	}
}

// MemberPublishSubjects is every subject member m may publish to (its
// requests, from memberReach; ack subjects end in ".>"), for tests that
// try each of them, such as the reply-subject attacks.
func MemberPublishSubjects(m string) []string {
	var out []string
	for _, r := range memberReach(m) {
		if r.kind != delivery {
			out = append(out, r.subject)
		}
	}
	return out
}

// JetStream API subjects a member may use on its own consumers.
func consumerNext(stream, consumer string) string {
	return "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer
}
func consumerInfo(stream, consumer string) string {
	return "$JS.API.CONSUMER.INFO." + stream + "." + consumer
}
func consumerAck(stream, consumer string) string { return "$JS.ACK." + stream + "." + consumer + ".>" }
