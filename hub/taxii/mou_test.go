package taxii_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy"
)

// TestInboxAcrossMoUChanges: an MoU change keeps what a member's TAXII
// inbox already held (its inbox filters change, and with them the floor
// real-time subscriptions start from), and a member that joins a
// community does not see what was shared there before it joined.
func TestInboxAcrossMoUChanges(t *testing.T) {
	h := startHub(t)
	tok := map[string]string{}
	for _, m := range []string{"bank-one", "le-alpha", "le-bravo", "cert-three"} {
		tok[m] = h.token(t, m)
	}
	post := func(sender, coll string, o map[string]any) {
		t.Helper()
		r := h.call(t, "POST", "/taxii2/"+sender+"/collections/"+coll+"/objects/", tok[sender], envelope(o))
		require.Equal(t, "accept", r.json(t)["x_geneva_verdict"], "%s", r.body)
	}
	has := func(member, coll string, o map[string]any) bool {
		r := h.call(t, "GET", "/taxii2/"+member+"/collections/"+coll+"/objects/"+o["id"].(string)+"/", tok[member], nil)
		require.Contains(t, []int{200, 404}, r.status, "%s", r.body)
		return r.status == 200
	}
	waitFor := func(member, coll string, o map[string]any) {
		t.Helper()
		hubtest.Eventually(t, 10*time.Second, func() error {
			if !has(member, coll, o) {
				return fmt.Errorf("%s: %s not in %s yet", member, o["id"], coll)
			}
			return nil
		})
	}
	toAll, toLE := indicator(1), indicator(2)
	post("bank-one", "submit", toAll)
	post("le-bravo", "submit-community-le", toLE)
	waitFor("le-alpha", "inbox", toAll)
	waitFor("le-alpha", "community-le", toLE)
	waitFor("cert-three", "inbox", toAll)
	require.False(t, has("cert-three", "inbox", toLE))

	// cert-three joins community le.
	cp := *h.MoU()
	cp.Members = append([]policy.Member(nil), cp.Members...)
	for i := range cp.Members {
		if cp.Members[i].ID == "cert-three" {
			cp.Members[i].Communities = []string{"le"}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.ApplyMoU(ctx, &cp))

	afterJoin := indicator(3)
	post("le-bravo", "submit-community-le", afterJoin)
	waitFor("cert-three", "community-le", afterJoin)
	waitFor("le-alpha", "community-le", afterJoin)
	require.False(t, has("cert-three", "inbox", toLE), "what le shared before cert-three joined")
	require.False(t, has("cert-three", "community-le", toLE))
	require.True(t, has("le-alpha", "inbox", toAll), "le-alpha keeps what it had before the change")
	require.True(t, has("le-alpha", "community-le", toLE))
	require.True(t, has("cert-three", "inbox", toAll))
}

// TestInboxSurvivesRestart: after a hub restart the index is rebuilt from
// GENEVA_SHARE, tokens are still valid, and a next cursor handed out
// before the restart still continues where it left off.
func TestInboxSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, hubtest.WithDir(dir))
	sender, reader := h.token(t, "bank-one"), h.token(t, "le-alpha")
	var objs []any
	for i := range 5 {
		objs = append(objs, indicator(100+i))
	}
	r := h.call(t, "POST", "/taxii2/bank-one/collections/submit/objects/", sender, envelope(objs...))
	require.Equal(t, "accept", r.json(t)["x_geneva_verdict"], "%s", r.body)
	page := "/taxii2/le-alpha/collections/inbox/objects/?limit=2"
	var first map[string]any
	hubtest.Eventually(t, 10*time.Second, func() error {
		first = h.call(t, "GET", page, reader, nil).json(t)
		if first["more"] != true {
			return fmt.Errorf("first page %v", first)
		}
		return nil
	})
	require.NoError(t, h.Stop())

	h = startHub(t, hubtest.WithDir(dir))
	var ids []any
	hubtest.Eventually(t, 10*time.Second, func() error {
		ids = nil
		next := first["next"].(string)
		for next != "" {
			p := h.call(t, "GET", page+"&next="+next, reader, nil).json(t)
			next = ""
			objects, ok := p["objects"].([]any)
			if !ok && p["more"] != false {
				// Not a page yet (the restarted hub may still be
				// rebuilding its index): an error resource or an
				// envelope without objects.
				return fmt.Errorf("page after the cursor: %v", p)
			}
			for _, o := range objects {
				ids = append(ids, o.(map[string]any)["id"])
			}
			if p["more"] == true {
				next = p["next"].(string)
			}
		}
		if len(ids) < 3 {
			return fmt.Errorf("%d objects after the cursor", len(ids))
		}
		return nil
	})
	want := []any{objs[2].(map[string]any)["id"], objs[3].(map[string]any)["id"], objs[4].(map[string]any)["id"]}
	require.Equal(t, want, ids)
}
