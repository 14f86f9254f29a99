package hub_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// works checks that m can do everything memberReach allows: submit and get
// its receipt, ask the directory and open a real-time subscription.
func works(t *testing.T, m *hubtest.Member) {
	t.Helper()
	m.Submit(t, []byte(`{}`), wire.SubmitOptions{})
	require.Equal(t, m.ID, m.NextReceipt(t, 10*time.Second).Member)
	_, err := m.NC.Request(wire.SubjectDirectory, []byte(`{}`), 5*time.Second)
	require.NoError(t, err, "%s: directory", m.ID)
	resp, err := m.NC.Request(wire.SubscribeService(m.ID), []byte(`{"session":"w"}`), 5*time.Second)
	require.NoError(t, err, "%s: subscribe", m.ID)
	var reply wire.SubscribeReply
	require.NoError(t, json.Unmarshal(resp.Data, &reply))
	require.Empty(t, reply.Error)
}

// TestMemberLifecycleKeepsAccountsLive suspends, resumes, rotates and
// removes members on a running hub: each change applies to the member's
// NATS account at once, and a member that comes back reaches everything
// again (its account is rebuilt with its imports).
func TestMemberLifecycleKeepsAccountsLive(t *testing.T) {
	t.Run("configured accounts", func(t *testing.T) { memberLifecycleLive(t, hubtest.StartHub(t)) })
	t.Run("jwt accounts", func(t *testing.T) { memberLifecycleLive(t, hubtest.StartHub(t, withJWTAccounts)) })
}

func memberLifecycleLive(t *testing.T, h *hubtest.Hub) {
	apply := func(change func(m *policy.Member), id string) {
		t.Helper()
		cp := *h.MoU()
		cp.Members = append([]policy.Member(nil), h.MoU().Members...)
		if change == nil {
			cp.Members = append(cp.Members[:memberIndex(t, &cp, id)], cp.Members[memberIndex(t, &cp, id)+1:]...)
		} else {
			change(&cp.Members[memberIndex(t, &cp, id)])
		}
		require.NoError(t, h.ApplyMoU(context.Background(), &cp))
	}
	suspend := func(m *policy.Member) { m.Suspended = true }
	resume := func(m *policy.Member) { m.Suspended = false }
	bank := h.Member(t, "bank-one")
	works(t, bank)

	apply(suspend, "bank-one")
	waitClosed(t, bank)
	_, err := h.Connect("bank-one")
	require.ErrorIs(t, err, nats.ErrAuthorization)

	apply(resume, "bank-one")
	works(t, h.Member(t, "bank-one"))

	t.Run("rotate", func(t *testing.T) {
		old := filepath.Join(t.TempDir(), "old.creds")
		seed, err := os.ReadFile(h.CredsPath("bank-one"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(old, seed, 0o600))
		apply(suspend, "bank-one")
		require.NoError(t, os.Remove(wire.CredsPath(h.Dir, "bank-one")))
		apply(resume, "bank-one")
		works(t, h.Member(t, "bank-one"))
		_, opts, err := wire.MemberOptions(old, nil)
		require.NoError(t, err)
		_, err = nats.Connect(h.ClientURL(), append(opts, nats.MaxReconnects(0))...)
		require.ErrorIs(t, err, nats.ErrAuthorization, "the old key is refused")
	})

	t.Run("add", func(t *testing.T) {
		cp := *h.MoU()
		cp.Members = append([]policy.Member(nil), h.MoU().Members...)
		nm := cp.Members[memberIndex(t, &cp, "cert-three")]
		nm.ID, nm.Name = "acad-four", "Academia Four"
		nm.Type, nm.Identity = policy.Academia, "identity--5d5e8b0e-0c6a-4c44-9d0b-3f6f8e0e6a41"
		cp.Members = append(cp.Members, nm)
		require.NoError(t, h.ApplyMoU(context.Background(), &cp))
		works(t, h.Member(t, "acad-four"))
	})

	t.Run("remove", func(t *testing.T) {
		isp := h.Member(t, "isp-two")
		works(t, isp)
		apply(nil, "isp-two")
		waitClosed(t, isp)
		_, err := h.Connect("isp-two")
		require.ErrorIs(t, err, nats.ErrAuthorization)
		works(t, h.Member(t, "cert-three"))
	})
}
