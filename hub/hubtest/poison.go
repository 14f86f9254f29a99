package hubtest

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/wire"
)

// InjectShare puts data on GENEVA_SHARE as if policy had routed a GREEN
// part from sender to member to (archivable): a way to hand readers a
// message the hub itself would never write, such as one that is not JSON.
// It returns the share's stream sequence.
func (h *Hub) InjectShare(t testing.TB, sender, to string, data []byte) uint64 {
	t.Helper()
	op := h.Member(t, wire.OperatorName)
	m := &nats.Msg{Subject: wire.ShareSubjectFrom("green", "m."+to, sender), Data: data, Header: nats.Header{
		wire.HeaderSubmission: {"poison-" + nats.NewInbox()[7:]}, wire.HeaderSender: {sender}, wire.HeaderTLP: {"green"},
		wire.HeaderAudience: {to}, wire.HeaderReceived: {time.Now().UTC().Format(time.RFC3339Nano)},
		wire.HeaderArchive: {"true"},
	}}
	ack, err := op.JS.PublishMsg(ctxFor(t, 5*time.Second), m)
	must(t, err, "inject a share for %s", to)
	return ack.Sequence
}
