package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func operatorOf(h *hubtest.Hub) hub.HubConnection {
	return hub.HubConnection{NATSURL: h.ClientURL(), Creds: h.CredsPath(wire.OperatorName)}
}

// startWorkerNode runs a worker node against h until the test ends.
func startWorkerNode(t *testing.T, h *hubtest.Hub) {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- hub.RunWorkers(c, hub.WorkerConfig{HubConnection: operatorOf(h), Workers: 4})
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "worker node")
	})
}

// With worker_nodes_only the hub decides nothing itself: every receipt
// and share below comes from the node, under the hub's MoU, and a new MoU
// applied at the hub reaches the node without a restart.
func TestWorkerNodeDecidesUnderTheHubsPolicy(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.WorkerNodesOnly = true }))
	bank := h.Member(t, "bank-one")
	receivers := map[string]*hubtest.Member{}
	for _, m := range []string{"le-alpha", "le-bravo", "isp-two", "cert-three"} {
		receivers[m] = h.Member(t, m)
	}
	const n = 20
	for i := range n {
		bank.Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{MsgID: fmt.Sprint("before-", i)})
	}
	_, ok := bank.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"), time.Second)
	require.False(t, ok, "no worker node yet: nothing is decided")

	startWorkerNode(t, h)
	seen := map[string]bool{}
	for range n {
		msg, ok := bank.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"), 10*time.Second)
		require.True(t, ok, "a receipt for every submission once the node runs")
		require.True(t, strings.HasPrefix(msg.Headers().Get(wire.HeaderDecidedBy), "node-"), "decided by %q", msg.Headers().Get(wire.HeaderDecidedBy))
		id := msg.Headers().Get(wire.HeaderSubmission)
		require.False(t, seen[id], "one receipt per submission")
		seen[id] = true
	}
	want := map[string]int{}
	for m := range receivers {
		want[m] = n
	}
	hubtest.ExpectShares(t, receivers, want, time.Second)

	mou := policy.DemoMoU()
	mou.Partnership.Version = "node-test-2"
	require.NoError(t, h.ApplyMoU(ctx(t), mou))
	hubtest.Eventually(t, 10*time.Second, func() error {
		bank.Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{})
		r := bank.NextReceipt(t, 10*time.Second)
		if r.PolicyVersion != "node-test-2" {
			return fmt.Errorf("decided under %q", r.PolicyVersion)
		}
		return nil
	})

	op := h.Member(t, wire.OperatorName)
	hubtest.Eventually(t, 10*time.Second, func() error { // the audit record follows the receipt's PubAck
		res, err := audit.Verify(ctx(t), op.JS, wire.StreamAudit)
		if err != nil || res.Records < n+1 {
			return fmt.Errorf("the node's audit records: %d, want %d or more: %v", res.Records, n+1, err)
		}
		return nil
	})
}

// The hub's workers and a node's share the intake consumers: every
// submission is decided once, by one of them.
func TestHubAndWorkerNodeDecideEachSubmissionOnce(t *testing.T) {
	h := hubtest.StartHub(t)
	startWorkerNode(t, h)
	bank := h.Member(t, "bank-one")
	const n = 300
	for i := range n {
		bank.Submit(t, caseBundle(t, "green-tlp1-to-all.json"), wire.SubmitOptions{MsgID: fmt.Sprint("mixed-", i)})
	}
	receipts := map[string]bool{}
	for range n {
		msg, ok := bank.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"), 10*time.Second)
		require.True(t, ok, "a receipt for every submission")
		id := msg.Headers().Get(wire.HeaderSubmission)
		require.False(t, receipts[id], "one receipt per submission")
		receipts[id] = true
	}
	_, extra := bank.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"), 500*time.Millisecond)
	require.False(t, extra, "no receipt beyond one per submission")
	le := map[string]*hubtest.Member{"le-alpha": h.Member(t, "le-alpha")}
	hubtest.ExpectShares(t, le, map[string]int{"le-alpha": n}, time.Second)
}

// The hub records its own decisions as it makes them; a node's reach its
// prior-state index through GENEVA_RECEIPT once the node has registered,
// so the monotonic-marking rule holds whichever process decided first.
func TestHubRemembersWhatANodeShared(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.WorkerNodesOnly = true }))
	startWorkerNode(t, h)
	isp := h.Member(t, "isp-two")
	isp.Submit(t, caseBundle(t, "amber-to-all.json"), wire.SubmitOptions{})
	require.Equal(t, policy.Accept, isp.NextReceipt(t, 10*time.Second).Verdict)
	hubtest.Eventually(t, 5*time.Second, func() error {
		if tlp, ok := h.PriorTLP("indicator--71052ab5-c7af-5fd7-b821-8b58cb607196"); !ok || tlp != "amber" {
			return fmt.Errorf("the hub's prior state: %q, %v (want amber)", tlp, ok)
		}
		return nil
	})
}

func TestWorkerConfigErrors(t *testing.T) {
	h := hubtest.StartHub(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "worker.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf("creds: %s\nworkers: 5000\nhttp_listen: nowhere\n",
		wire.CredsPath(h.Dir, "bank-one"))), 0o600))
	_, err := hub.LoadWorkerConfig(file)
	require.Error(t, err)
	for _, want := range []string{"nats_url: required", `member "bank-one"'s`, ":2: workers: 5000 is outside", ":3: http_listen:"} {
		require.ErrorContains(t, err, want)
	}

	// A NATS without the hub's bucket is not a hub: say so, do not hang.
	op := h.Member(t, wire.OperatorName)
	require.NoError(t, op.JS.DeleteKeyValue(ctx(t), hub.BucketHub))
	err = hub.RunWorkers(ctx(t), hub.WorkerConfig{HubConnection: operatorOf(h)})
	require.ErrorContains(t, err, "is this a Geneva hub's NATS")

	hubFile := filepath.Join(dir, "hub.yaml")
	require.NoError(t, os.WriteFile(hubFile, []byte("mou_file: "+filepath.Join("..", "policy", "demo-mou.yaml")+"\nnats_url: nats://elsewhere:4222\n"), 0o600))
	_, err = hub.LoadConfig(hubFile)
	require.ErrorContains(t, err, "geneva-hub worker --config FILE")
}
