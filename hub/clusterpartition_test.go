package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// healedWithin bounds how soon after a partition heals a hub on the node
// that was cut decides again. Before, its intake pulls waited at the node,
// which had lost the consumer's leadership without telling anyone, until
// the client noticed two missed heartbeats (15 s apart by default): 30 s
// after the cut, 22 s after an 8 s partition. The worker's pulls now
// carry a 2 s heartbeat (hub/worker.go). The bound leaves room for the
// elections of a loaded machine.
const healedWithin = 15 * time.Second

// hubOnNode1 starts a 3-node cluster and a hub connected to its node 1
// alone; atN2 connects a member (or the operator) to node 2, so that it
// stays with the majority when node 1 is cut.
func hubOnNode1(t *testing.T) (cl *hubtest.Cluster, atN2 func(id string) *hubtest.Member) {
	dir := t.TempDir()
	cl = startNATSCluster(t, dir)
	h := hubtest.StartHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) {
		c.HubConnection = hub.HubConnection{NATSURL: cl.NodeURL(0), Creds: wire.CredsPath(dir, wire.OperatorName)}
	}))
	return cl, func(id string) *hubtest.Member {
		m, err := h.Connect(id, func(o *nats.Options) error { o.Servers = []string{cl.NodeURL(1)}; return nil })
		require.NoError(t, err)
		t.Cleanup(m.NC.Close)
		return m
	}
}

// A hub process connected to a node that is partitioned from the others
// while it leads the hub's intake consumer decides again soon after the
// partition heals: the submissions offered after healing are delivered
// within healedWithin.
func TestHubOnCutNodeDecidesSoonAfterHealing(t *testing.T) {
	cl, atN2 := hubOnNode1(t)
	bank, le, op := atN2("bank-one"), atN2("le-alpha"), atN2(wire.OperatorName)
	submitUntilAcked(t, bank, "before")
	delivered(t, le, wire.StreamShare, wire.InboxConsumer("le-alpha"), 1, 30*time.Second)
	healed := cutWhileLeading(t, cl, op, wire.IntakeStream("bank-one"), wire.ConsumerWorker)
	for i := range 5 {
		submitUntilAcked(t, bank, fmt.Sprint("after-", i))
	}
	delivered(t, le, wire.StreamShare, wire.InboxConsumer("le-alpha"), 5, 90*time.Second)
	took := time.Since(healed)
	t.Logf("the submissions offered after healing were delivered within %v of it", took)
	require.Less(t, took, healedWithin, "delivery after the partition healed")
}

// cutWhileLeading cuts n1 (the hub's node) off while it leads the
// consumer, waits until the majority has elected a leader of its own for
// it (the hub's pull requests stay with n1), heals the partition and
// returns when.
func cutWhileLeading(t *testing.T, cl *hubtest.Cluster, op *hubtest.Member, stream, consumer string) time.Time {
	t.Helper()
	moveConsumerLeader(t, op, stream, consumer, "n1")
	cl.Cut(0)
	hubtest.Eventually(t, 60*time.Second, func() error {
		if l := consumerLeader(op, stream, consumer); l == "" || l == "n1" {
			return fmt.Errorf("the majority's view of the consumer leader: %q", l)
		}
		return nil
	})
	cl.Heal(0)
	return time.Now()
}

// The hub's request tracker on the cut node follows requests again soon
// after the partition heals: its pulls carry the worker's 2 s heartbeat
// (internal/jspull; nats.go's 15 s default held it up to 30 s after the
// cut). A request le-alpha sends after healing is tracked within
// healedWithin.
func TestRequestTrackerOnCutNodeFollowsSoonAfterHealing(t *testing.T) {
	cl, atN2 := hubOnNode1(t)
	alpha, op := atN2("le-alpha"), atN2(wire.OperatorName)
	now := time.Now().UTC().Truncate(time.Millisecond)
	first := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, now)
	submitBundleUntilAcked(t, alpha, "before", requeststest.RequestBundle(t, first, tlp.AmberStrict, nil), "isp-two")
	r := alpha.NextReceipt(t, 60*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "%+v %+v", r.Reasons, r.Objects)
	waitTracked(t, alpha, first.ID, 60*time.Second)

	healed := cutWhileLeading(t, cl, op, wire.StreamShare, wire.ConsumerRequests)
	after := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, now.Add(time.Second))
	submitBundleUntilAcked(t, alpha, "after", requeststest.RequestBundle(t, after, tlp.AmberStrict, nil), "isp-two")
	waitTracked(t, alpha, after.ID, 90*time.Second)
	took := time.Since(healed)
	t.Logf("the request sent after healing was tracked within %v of it", took)
	require.Less(t, took, healedWithin, "tracking after the partition healed")
}

// waitTracked waits up to limit until the hub tracks request id of m to
// isp-two.
func waitTracked(t *testing.T, m *hubtest.Member, id string, limit time.Duration) {
	t.Helper()
	hubtest.Eventually(t, limit, func() error {
		c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		body, _ := json.Marshal(wire.RequestsQuery{Action: "list"})
		msg, err := m.NC.RequestWithContext(c, wire.RequestsService(m.ID), body)
		if err != nil {
			return err
		}
		var r wire.RequestsReply
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			return err
		}
		for _, s := range r.Requests {
			if s.Request == id && s.Recipient == "isp-two" {
				return nil
			}
		}
		return fmt.Errorf("request %s not tracked yet", id)
	})
}

// moveConsumerLeader asks the consumer's leader to step down until node
// leads it (at most 60 s).
func moveConsumerLeader(t *testing.T, op *hubtest.Member, stream, consumer, node string) {
	t.Helper()
	req, err := json.Marshal(map[string]any{"placement": map[string]string{"preferred": node}})
	require.NoError(t, err)
	hubtest.Eventually(t, 60*time.Second, func() error {
		l := consumerLeader(op, stream, consumer)
		if l == node {
			return nil
		}
		_, err := op.NC.Request(fmt.Sprintf("$JS.API.CONSUMER.LEADER.STEPDOWN.%s.%s", stream, consumer), req, 5*time.Second)
		return fmt.Errorf("leader %q, want %s (step-down: %v)", l, node, err)
	})
}

// consumerLeader is the consumer's leader as op's server sees it ("" if
// none or unknown).
func consumerLeader(op *hubtest.Member, stream, consumer string) string {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cons, err := op.JS.Consumer(c, stream, consumer)
	if err != nil || cons.CachedInfo().Cluster == nil {
		return ""
	}
	return cons.CachedInfo().Cluster.Leader
}
