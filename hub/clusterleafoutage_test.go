package hub_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// A WAN outage between partners' sites and the cluster (docs/operating.md
// "Leaf nodes"): both sites' leaf node connections go down while their
// connectors keep running, as le-alpha's sink is taking a share. A bundle
// dropped at bank-one's site during the outage is spooled there and
// submitted once the link is back (its receipt: accept); a share routed
// to le-alpha during the outage (isp-two submits directly to the cluster)
// waits in le-alpha's inbox and reaches its sink after it. le-alpha's
// sink gets every share exactly once: the one in flight at the cut too,
// whose ack was lost (without connectors/daemon/settled.go it is written
// twice).
func TestLeafSiteCatchesUpAfterAWANOutage(t *testing.T) {
	sites := startLeafSites(t, leafConfigured)
	hook := newShareTally(t)
	runSiteConnector(t, sites.le.ClientURL(), wire.CredsPath(sites.dir, "le-alpha"),
		"sources: []\nsinks:\n  - {name: soc, kind: webhook, reach: organization, url: "+hook.URL+"}")
	sender := runSiteConnector(t, sites.bank.ClientURL(), wire.CredsPath(sites.dir, "bank-one"),
		"sources:\n  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}\nsinks: []")
	drop := filepath.Join(sender, "drop")

	// Before the outage: a bundle through both sites.
	dropBundle(t, drop, "before.json", namedBundle(t, "before the outage"))
	requireReceipt(t, drop, "before.json")
	hook.waitFor(t, 1)

	// The link goes down while le-alpha's web service takes a share: the
	// connector's ack of it is lost, and the hub delivers it again after
	// the outage.
	held := hook.holdNext(t)
	dropBundle(t, drop, "inflight.json", namedBundle(t, "in flight as the link goes down"))
	requireReceipt(t, drop, "inflight.json")
	select {
	case <-held.arrived:
	case <-time.After(90 * time.Second):
		t.Fatal("the share in flight did not reach le-alpha's web service within 90 s")
	}
	sites.bank.Link(t, false)
	sites.le.Link(t, false)
	close(held.release)
	dropBundle(t, drop, "during.json", namedBundle(t, "during the outage"))
	hubtest.Eventually(t, 30*time.Second, func() error { // spooled at the site
		_, err := os.Stat(filepath.Join(drop, "done", "during.json"))
		return err
	})
	isp, err := member.Dial(ctx(t), sites.cl.URL(), wire.CredsPath(sites.dir, "isp-two"))
	require.NoError(t, err)
	t.Cleanup(isp.Close)
	res, err := isp.Submit(ctx(t), namedBundle(t, "routed during the outage"), member.SubmitOptions{MsgID: "isp-two-during"})
	require.NoError(t, err)
	require.Equal(t, policy.Accept, res.Receipt.Verdict, "isp-two's share to le-alpha, routed while its site is cut off")
	_, err = os.Stat(filepath.Join(drop, "done", "during.json.receipt.json"))
	require.ErrorIs(t, err, os.ErrNotExist, "a receipt while bank-one's site is cut off")
	require.Equal(t, 2, hook.distinct(), "a share reached le-alpha's site while it is cut off")

	sites.bank.Link(t, true)
	sites.le.Link(t, true)
	requireReceipt(t, drop, "during.json")
	hook.waitFor(t, 4)
	// Nothing left to deliver or redeliver: the counts are final.
	inbox := hubConsumer(t, sites, wire.StreamShare, wire.InboxConsumer("le-alpha"))
	hubtest.Eventually(t, 60*time.Second, func() error {
		info, err := inbox.Info(ctx(t))
		if err != nil {
			return err
		}
		if info.NumPending > 0 || info.NumAckPending > 0 {
			return fmt.Errorf("le-alpha's inbox: %d pending, %d unacknowledged", info.NumPending, info.NumAckPending)
		}
		return nil
	})
	hook.requireEachOnce(t, 4)
}

// namedBundle is a GREEN bundle to everyone whose indicator is called
// name, so each is a submission of its own.
func namedBundle(t *testing.T, name string) []byte {
	return editBundle(t, caseBundle(t, "green-tlp1-to-all.json"), func(objects []map[string]any) []map[string]any {
		for _, o := range objects {
			if o["type"] == "indicator" {
				o["name"] = name
			}
		}
		return objects
	})
}

// dropBundle puts a bundle into a dir source's folder as a partner's
// tool does: written aside, then renamed in.
func dropBundle(t *testing.T, drop, name string, bundle []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(drop, 0o755))
	tmp := filepath.Join(filepath.Dir(drop), name+".tmp")
	require.NoError(t, os.WriteFile(tmp, bundle, 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(drop, name)))
}

// requireReceipt waits up to 90 s for the receipt the dir source writes
// beside a submitted file, requires it to accept and returns it.
func requireReceipt(t *testing.T, drop, name string) wire.Receipt {
	t.Helper()
	file := filepath.Join(drop, "done", name+".receipt.json")
	hubtest.Eventually(t, 90*time.Second, func() error {
		_, err := os.Stat(file)
		return err
	})
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var r wire.Receipt
	require.NoError(t, json.Unmarshal(data, &r))
	require.Equal(t, policy.Accept, r.Verdict, "%s: %+v", name, r.Reasons)
	return r
}

// hubConsumer is a consumer as the hub sees it (its own account).
func hubConsumer(t *testing.T, sites leafSites, stream, consumer string) jetstream.Consumer {
	t.Helper()
	_, opts, err := wire.MemberOptions(wire.CredsPath(sites.dir, wire.OperatorName), nil)
	require.NoError(t, err)
	nc, err := nats.Connect(sites.cl.URL(), opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	c, err := js.Consumer(ctx(t), stream, consumer)
	require.NoError(t, err)
	return c
}

// shareTally is a partner's web service behind a webhook sink: it counts
// the shares it is given by their Idempotency-Key (one per share).
type shareTally struct {
	URL    string
	mu     sync.Mutex
	counts map[string]int
	hold   *heldShare // the next share to hold, if any
}

// heldShare is a share the web service holds: arrived closes when it
// comes, and the service answers it once release is closed.
type heldShare struct{ arrived, release chan struct{} }

func newShareTally(t *testing.T) *shareTally {
	st := &shareTally{counts: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		st.counts[r.Header.Get("Idempotency-Key")]++
		held := st.hold
		st.hold = nil
		st.mu.Unlock()
		if held != nil {
			close(held.arrived)
			<-held.release
		}
	}))
	t.Cleanup(srv.Close)
	st.URL = srv.URL
	return st
}

// holdNext holds the next share to come until its release is closed
// (at the latest as the test ends).
func (st *shareTally) holdNext(t *testing.T) *heldShare {
	st.mu.Lock()
	defer st.mu.Unlock()
	h := &heldShare{arrived: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
	})
	st.hold = h
	return h
}

func (st *shareTally) distinct() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.counts)
}

// waitFor waits up to 90 s until n distinct shares arrived.
func (st *shareTally) waitFor(t *testing.T, n int) {
	t.Helper()
	hubtest.Eventually(t, 90*time.Second, func() error {
		if got := st.distinct(); got < n {
			return fmt.Errorf("le-alpha's web service got %d distinct shares, want %d", got, n)
		}
		return nil
	})
}

// requireEachOnce requires exactly n distinct shares, each given once.
func (st *shareTally) requireEachOnce(t *testing.T, n int) {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	require.Len(t, st.counts, n, "%v", st.counts)
	for key, c := range st.counts {
		require.Equal(t, 1, c, "share %s given %d times", key, c)
	}
}
