package taxii_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// TestReviewStatus: a submission the MoU holds for a person answers at
// once with a pending status, which turns complete with the reviewer's
// verdict.
func TestReviewStatus(t *testing.T) {
	h := startHub(t)
	tok := h.token(t, "cert-three")
	start := time.Now()
	st := postHeld(t, h, tok)
	require.Less(t, time.Since(start), 4*time.Second, "a held submission answers when held, not after the sync wait")
	approve(t, h, st)
	st = waitComplete(t, h, tok, st["id"].(string))
	require.EqualValues(t, 0, st["pending_count"])
	require.Positive(t, st["success_count"])
}

// TestStatusesSurviveARestart: a status is read back after a hub restart,
// with its verdict (a decided POST) or still pending (a held one), which
// the reviewer's verdict after the restart completes; another member's
// token still cannot read it.
func TestStatusesSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, hubtest.WithDir(dir))
	tok, other := h.token(t, "cert-three"), h.token(t, "le-alpha")
	r := h.call(t, "POST", "/taxii2/cert-three/collections/submit/objects/", tok, envelope(indicator(1), indicator(2)))
	require.Equal(t, 202, r.status, "%s", r.body)
	decided := r.json(t)
	require.Equal(t, "complete", decided["status"], "%s", r.body)
	held := postHeld(t, h, tok)
	require.NoError(t, h.Stop())

	h = startHub(t, hubtest.WithDir(dir))
	path := "/taxii2/cert-three/status/" + decided["id"].(string) + "/"
	r = h.call(t, "GET", path, tok, nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	require.Equal(t, decided, r.json(t), "the same status after the restart")
	requireError(t, h.call(t, "GET", "/taxii2/le-alpha/status/"+decided["id"].(string)+"/", other, nil), 404)

	heldPath := "/taxii2/cert-three/status/" + held["id"].(string) + "/"
	r = h.call(t, "GET", heldPath, tok, nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	require.Equal(t, held, r.json(t), "still held for review")
	approve(t, h, held)
	st := waitComplete(t, h, tok, held["id"].(string))
	require.Positive(t, st["success_count"])
}

// postHeld posts, as the member of tok (cert-three), an envelope the demo
// MoU holds for review, and returns its pending status.
func postHeld(t *testing.T, h *taxiiHub, tok string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	var doc struct{ Objects []map[string]any }
	require.NoError(t, json.Unmarshal(b, &doc))
	objs := anySlice(doc.Objects)
	objs = append(objs, map[string]any{
		"type": "threat-actor", "spec_version": "2.1", "id": fmt.Sprintf("threat-actor--%s", uuidN(int(time.Now().UnixNano()%1e9))),
		"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Example State Unit",
		"threat_actor_types": []string{"nation-state"}, "object_marking_refs": doc.Objects[1]["object_marking_refs"],
	})
	r := h.call(t, "POST", "/taxii2/cert-three/collections/submit/objects/", tok, envelope(objs...))
	require.Equal(t, 202, r.status, "%s", r.body)
	st := r.json(t)
	require.Equal(t, "pending", st["status"], "%s", r.body)
	require.EqualValues(t, 3, st["pending_count"])
	require.Contains(t, string(r.body), "held for review")
	return st
}

// approve approves a held submission as the operator's reviewer.
func approve(t *testing.T, h *taxiiHub, st map[string]any) {
	t.Helper()
	op, err := h.Connect(wire.OperatorName)
	require.NoError(t, err)
	defer op.NC.Close()
	req, _ := json.Marshal(hub.ReviewRequest{Action: "approve", Submission: st["x_geneva_submission_id"].(string), Actor: "duty-officer"})
	hubtest.Eventually(t, 10*time.Second, func() error { // the held copy is stored beside the receipt
		msg, err := op.NC.Request(wire.SubjectReviewService, req, 30*time.Second)
		if err != nil {
			return err
		}
		var reply hub.ReviewReply
		require.NoError(t, json.Unmarshal(msg.Data, &reply))
		if reply.Error != "" {
			l, _ := op.NC.Request(wire.SubjectReviewService, []byte(`{"action":"list"}`), 30*time.Second)
			return fmt.Errorf("%s; held: %s; status %v", reply.Error, l.Data, st)
		}
		return nil
	})
}

// waitComplete polls status id until it is complete (10 s at most).
func waitComplete(t *testing.T, h *taxiiHub, tok, id string) map[string]any {
	t.Helper()
	var st map[string]any
	hubtest.Eventually(t, 10*time.Second, func() error {
		st = h.call(t, "GET", "/taxii2/cert-three/status/"+id+"/", tok, nil).json(t)
		if st["status"] != "complete" {
			return fmt.Errorf("status %v", st["status"])
		}
		return nil
	})
	return st
}
