package audit_test

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

// notAvailable is what a replica whose RAFT group has no leader in its
// view answers a message read with, at once (nats-server's
// JSClusterNotAvailErr).
const notAvailable = `{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":503,"err_code":10008,"description":"JetStream system temporarily unavailable"}}`

// A replica that answers every read of the audit stream with 503 before
// the leader answers (one catching up after a restart or a healed
// partition, on the node the appender is connected to) must not stop the
// appends: reads wait past it for the leader. Before, the first answer
// won, Open and every tail reload failed with "JetStream system
// temporarily unavailable", and a hub on that node failed every decision.
func TestReadsWaitPastAReplicaWithoutLeader(t *testing.T) {
	cl, admin, leader := startR3AuditStream(t)
	node := (leader + 1) % 3 // a follower's node

	// The stand-in for the lagging replica: on the appender's node, so
	// its answer comes first.
	lagging, err := nats.Connect(cl.Nodes[node].ClientURL())
	require.NoError(t, err)
	t.Cleanup(lagging.Close)
	_, err = lagging.Subscribe("$JS.API.STREAM.MSG.GET."+testStream, func(m *nats.Msg) { _ = m.Respond([]byte(notAvailable)) })
	require.NoError(t, err)
	require.NoError(t, lagging.Flush())

	js := connect(t, cl.Nodes[node].ClientURL())
	for i := range 3 { // each Open reads the tail; each Append after it chains onto it
		l := openLog(t, js)
		_, err := l.Append(testCtx(t), decision(i), "audit.read-"+string(rune('a'+i)))
		require.NoError(t, err)
	}
	res, err := audit.Verify(testCtx(t), admin, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(3), res.Records)
}
