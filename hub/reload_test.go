package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func memberIndex(t *testing.T, m *policy.MoU, id string) int {
	t.Helper()
	for i, mb := range m.Members {
		if mb.ID == id {
			return i
		}
	}
	t.Fatalf("no member %s", id)
	return -1
}

func waitClosed(t *testing.T, m *hubtest.Member) {
	t.Helper()
	hubtest.Eventually(t, 10*time.Second, func() error {
		if !m.NC.IsClosed() {
			return errors.New(m.ID + " is still connected")
		}
		return nil
	})
}

func TestReload(t *testing.T) {
	outer := t
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	green := caseBundle(t, "green-tlp2-to-all.json")

	t.Run("a new member can connect at once", func(t *testing.T) {
		mou := h.MoU()
		next := policy.DemoMoU()
		next.Members = append(next.Members, mou.Members[memberIndex(t, mou, "cert-three")])
		nm := &next.Members[len(next.Members)-1]
		nm.ID, nm.Name = "acad-four", "Academia Four"
		nm.Type, nm.Identity = policy.Academia, "identity--5d5e8b0e-0c6a-4c44-9d0b-3f6f8e0e6a41"
		require.NoError(t, h.ApplyMoU(context.Background(), next))

		acad := h.Member(outer, "acad-four") // stays connected for the later subtests
		members["acad-four"] = acad
		members["bank-one"].Submit(t, green, wire.SubmitOptions{})
		members["bank-one"].NextReceipt(t, 10*time.Second)
		hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1, "isp-two": 1, "cert-three": 1, "acad-four": 1}, 300*time.Millisecond)
		acad.Submit(t, green, wire.SubmitOptions{})
		require.Equal(t, "acad-four", acad.NextReceipt(t, 10*time.Second).Member)
		hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1, "bank-one": 1, "isp-two": 1, "cert-three": 1}, 300*time.Millisecond)
	})

	t.Run("changed communities change what flows", func(t *testing.T) {
		next := h.MoU()
		cp := *next
		cp.Members = append([]policy.Member(nil), next.Members...)
		isp := &cp.Members[memberIndex(t, &cp, "isp-two")]
		isp.Communities = []string{"finance"}
		require.NoError(t, h.ApplyMoU(context.Background(), &cp))

		members["bank-one"].Submit(t, green, wire.SubmitOptions{Community: "finance"})
		r := members["bank-one"].NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Accept, r.Verdict, "%+v", r.Reasons)
		hubtest.ExpectShares(t, members, map[string]int{"isp-two": 1}, 300*time.Millisecond)
	})

	t.Run("a suspended member is disconnected at once", func(t *testing.T) {
		next := h.MoU()
		cp := *next
		cp.Members = append([]policy.Member(nil), next.Members...)
		cp.Members[memberIndex(t, &cp, "le-bravo")].Suspended = true
		require.NoError(t, h.ApplyMoU(context.Background(), &cp))
		waitClosed(t, members["le-bravo"])
		_, err := h.Connect("le-bravo")
		require.ErrorIs(t, err, nats.ErrAuthorization)
	})

	t.Run("an invalid MoU is refused and the old one stays", func(t *testing.T) {
		cp := *h.MoU()
		cp.Members = nil
		require.Error(t, h.ApplyMoU(context.Background(), &cp))
		require.NotEmpty(t, h.MoU().Members)
	})
}

func TestMoUFileChangeReloads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mou.yaml")
	yaml := string(policy.DemoMoUYAML())
	require.NoError(t, os.WriteFile(file, []byte(yaml), 0o600))
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.MoU, c.MoUFile = nil, file }))
	isp := h.Member(t, "isp-two")

	i := strings.Index(yaml, "id: isp-two")
	j := i + strings.Index(yaml[i:], "suspended: false")
	changed := yaml[:j] + "suspended: true" + yaml[j+len("suspended: false"):]
	require.NoError(t, os.WriteFile(file, []byte(changed), 0o600))
	waitClosed(t, isp)
	require.True(t, h.MoU().Members[memberIndex(t, h.MoU(), "isp-two")].Suspended)
}

// A member that joins a community cannot replay, through a real-time
// subscription with an early start, what was shared to that community
// before it joined; what is shared afterwards reaches it.
func TestSubscriptionCannotReplayBeforeJoining(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	green := caseBundle(t, "green-tlp2-to-all.json")
	alpha := members["le-alpha"]
	before := shareWithLEThenJoinIt(t, h, alpha, green)

	isp := members["isp-two"]
	for _, req := range []wire.SubscribeRequest{
		{Session: "by-time", Since: time.Now().Add(-time.Hour)},
		{Session: "by-seq", StartSeq: 1},
	} {
		sub, err := isp.NC.SubscribeSync(wire.DeliverSubject("isp-two", req.Session))
		require.NoError(t, err)
		body, _ := json.Marshal(req)
		resp, err := isp.NC.Request(wire.SubscribeService("isp-two"), body, 5*time.Second)
		require.NoError(t, err)
		require.NotContains(t, string(resp.Data), "error")

		alpha.Submit(t, green, wire.SubmitOptions{Community: "le"})
		after := alpha.NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Accept, after.Verdict)
		var got *nats.Msg
		for got == nil || got.Header.Get(wire.HeaderSubmission) == "" { // skip heartbeats
			got, err = sub.NextMsg(5 * time.Second)
			require.NoError(t, err)
		}
		require.NotEqual(t, before.Submission, got.Header.Get(wire.HeaderSubmission), "%s: replayed a share from before joining", req.Session)
		if req.Session == "by-time" {
			require.Equal(t, after.Submission, got.Header.Get(wire.HeaderSubmission))
		}
	}
}

// A member that joins a community does not get what was shared with the
// community before it joined, even while that still lies ahead of its
// inbox's position; it gets what is shared after. (Filters alone cannot do
// this: JetStream applies a widened filter from the consumer's position.)
func TestJoiningACommunityDoesNotOpenItsBacklog(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	green := caseBundle(t, "green-tlp2-to-all.json")
	alpha, isp, bravo := members["le-alpha"], members["isp-two"], members["le-bravo"]
	before := shareWithLEThenJoinIt(t, h, alpha, green) // no inbox is read meanwhile

	alpha.Submit(t, green, wire.SubmitOptions{Community: "le"})
	after := alpha.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, after.Verdict)
	got := hubtest.ExpectShares(t, map[string]*hubtest.Member{"isp-two": isp, "le-bravo": bravo},
		map[string]int{"isp-two": 1, "le-bravo": 2}, time.Second)
	submissions := func(id string) []string {
		var ids []string
		for _, msg := range got[id] {
			ids = append(ids, msg.Headers().Get(wire.HeaderSubmission))
		}
		return ids
	}
	require.Equal(t, []string{after.Submission}, submissions("isp-two"), "isp-two got a share from before it joined le")
	// A member of le all along gets both, the one from before the change too.
	require.Equal(t, []string{before.Submission, after.Submission}, submissions("le-bravo"))
}

// shareWithLEThenJoinIt has le-alpha share bundle with community le, then
// makes isp-two a member of le; it returns the share's receipt.
func shareWithLEThenJoinIt(t *testing.T, h *hubtest.Hub, alpha *hubtest.Member, bundle []byte) wire.Receipt {
	t.Helper()
	alpha.Submit(t, bundle, wire.SubmitOptions{Community: "le"}) // isp-two is not in le yet
	before := alpha.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, before.Verdict)
	cp := *h.MoU()
	cp.Members = append([]policy.Member(nil), cp.Members...)
	cp.Members[memberIndex(t, &cp, "isp-two")].Communities = []string{"le"}
	require.NoError(t, h.ApplyMoU(context.Background(), &cp))
	return before
}
