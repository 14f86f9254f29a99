package hub_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func askMoU(t *testing.T, m *hubtest.Member, known string) wire.MoUReply {
	t.Helper()
	body, _ := json.Marshal(wire.MoURequest{Known: known})
	msg, err := m.NC.Request(wire.MoUService(m.ID), body, 10*time.Second)
	require.NoError(t, err)
	var r wire.MoUReply
	require.NoError(t, json.Unmarshal(msg.Data, &r))
	require.Empty(t, r.Error)
	return r
}

// TestMoUServiceWithholdsContacts: a member gets the MoU in force as a
// valid MoU that decides as the hub's does, without a single member's
// 24/7 phone or e-mail (its own included) and without per-member quotas.
func TestMoUServiceWithholdsContacts(t *testing.T) {
	mou := policy.DemoMoU()
	mou.Members[0].Quota.BytesPerDay = 7_000_000
	h := hubtest.StartHub(t, hubtest.WithMoU(mou))
	m := h.Member(t, mou.Members[1].ID)

	r := askMoU(t, m, "")
	require.NotEmpty(t, r.Version)
	require.Equal(t, mou.Partnership.Version, r.PolicyVersion)
	got, err := policy.ParseMoU("hub", []byte(r.YAML))
	require.NoError(t, err, "the member view is not a valid MoU")
	require.Len(t, got.Members, len(mou.Members))
	for _, mb := range mou.Members {
		for _, secret := range []string{mb.Contact.Phone, mb.Contact.Email, mb.Contact.Desk} {
			require.NotContains(t, r.YAML, secret, "member %s's contact is shown", mb.ID)
		}
		shown, ok := got.Member(mb.ID)
		require.True(t, ok)
		require.Equal(t, mb.Identity, shown.Identity)
		require.Equal(t, mb.Communities, shown.Communities)
	}
	require.Zero(t, got.Members[0].Quota.BytesPerDay, "a member's own quota is shown")
	require.Equal(t, mou.Rules, got.Rules)

	// The version it holds: no body again.
	again := askMoU(t, m, r.Version)
	require.Equal(t, r.Version, again.Version)
	require.Empty(t, again.YAML)

	// A reload changes the version and the rules served.
	changed := policy.DemoMoU()
	changed.Partnership.Version += "-b"
	changed.Rules.Limits.MaxObjects = 3
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.ApplyMoU(ctx, changed))
	after := askMoU(t, m, r.Version)
	require.NotEqual(t, r.Version, after.Version)
	require.True(t, strings.Contains(after.YAML, "max_objects: 3"), after.YAML)
}

// TestMoUServiceAnswersGarbageWithAnError: a body that is not a request
// gets a one-line error, and the service answers the next request.
func TestMoUServiceAnswersGarbageWithAnError(t *testing.T) {
	h := hubtest.StartHub(t)
	m := h.Member(t, "bank-one")
	msg, err := m.NC.Request(wire.MoUService(m.ID), []byte("\x00not json"), 10*time.Second)
	require.NoError(t, err)
	var r wire.MoUReply
	require.NoError(t, json.Unmarshal(msg.Data, &r))
	require.Equal(t, "the request is not a JSON MoU request", r.Error)
	require.Empty(t, r.YAML)
	require.NotEmpty(t, askMoU(t, m, "").YAML)
}

// TestMoUServiceShowsOnlyTheAskersSuspensionAndRelays: every member may
// be an adversary, so the view one member gets does not tell it which
// other member is suspended nor whose content another member relays; the
// asker's own relays stay, so its pre-flight still refuses a spoofed
// created_by_ref as the hub does.
func TestMoUServiceShowsOnlyTheAskersSuspensionAndRelays(t *testing.T) {
	const relayed = "identity--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d"
	mou := policy.DemoMoU()
	suspendedID, relayID := "le-bravo", "bank-one"
	for i := range mou.Members {
		switch mou.Members[i].ID {
		case suspendedID:
			mou.Members[i].Suspended = true
		case relayID:
			mou.Members[i].RelayFor = []string{relayed}
		}
	}
	h := hubtest.StartHub(t, hubtest.WithMoU(mou))

	view := func(asker string) *policy.MoU {
		r := askMoU(t, h.Member(t, asker), "")
		got, err := policy.ParseMoU(asker+"'s view", []byte(r.YAML))
		require.NoError(t, err)
		return got
	}
	other := view("le-alpha")
	shown, _ := other.Member(suspendedID)
	require.False(t, shown.Suspended, "le-alpha learns that %s is suspended", suspendedID)
	shown, _ = other.Member(relayID)
	require.Empty(t, shown.RelayFor, "le-alpha learns whose content %s relays", relayID)

	own, _ := view(relayID).Member(relayID)
	require.Equal(t, []string{relayed}, own.RelayFor, "a member's own relays are what its pre-flight needs")
}
