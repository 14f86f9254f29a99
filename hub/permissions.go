package hub

import "github.com/nats-io/nats-server/v2/server"

// memberPermissions is the least a member needs (DESIGN.md "Security
// model"): publish its own submissions, pull and ack from its own two
// hub-created consumers (exact names: no wildcard that could match another
// member's), ask the hub's services; receive only on its private inbox
// prefix and its own delivery subjects. No $JS.API.CONSUMER.CREATE at all:
// on a shared stream one filter of geneva.> would read everyone's traffic.
func memberPermissions(m string) *server.Permissions {
	var pub []string
	pub = append(pub, SubmitSubject(m), SubscribeService(m), ReceiptsService(m), SubjectDirectory, SubjectDirectory+".>",
		RequestsService(m))
	for _, c := range []struct{ stream, consumer string }{
		{StreamShare, InboxConsumer(m)},
		{StreamReceipt, ReceiptConsumer(m)},
	} {
		pub = append(pub,
			consumerNext(c.stream, c.consumer),
			consumerInfo(c.stream, c.consumer),
			consumerAck(c.stream, c.consumer),
			// The v2 ack format ($JS.ACK.<domain>.<account>.<stream>.<consumer>...)
			// behind a server feature flag; tokens 5 and 6 pin stream and consumer.
			"$JS.ACK.*.*."+c.stream+"."+c.consumer+".>",
		)
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: pub},
		Subscribe: &server.SubjectPermission{Allow: []string{InboxPrefix(m) + ".>", DeliverPrefix(m) + ".>"}},
	}
}
