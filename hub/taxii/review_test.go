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
	b, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	var doc struct{ Objects []map[string]any }
	require.NoError(t, json.Unmarshal(b, &doc))
	objs := anySlice(doc.Objects)
	objs = append(objs, map[string]any{
		"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
		"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Example State Unit",
		"threat_actor_types": []string{"nation-state"}, "object_marking_refs": doc.Objects[1]["object_marking_refs"],
	})
	start := time.Now()
	r := h.call(t, "POST", "/taxii2/cert-three/collections/submit/objects/", tok, envelope(objs...))
	require.Equal(t, 202, r.status, "%s", r.body)
	st := r.json(t)
	require.Less(t, time.Since(start), 4*time.Second, "a held submission answers when held, not after the sync wait")
	require.Equal(t, "pending", st["status"], "%s", r.body)
	require.EqualValues(t, 3, st["pending_count"])
	require.Contains(t, string(r.body), "held for review")

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
	hubtest.Eventually(t, 10*time.Second, func() error {
		st = h.call(t, "GET", "/taxii2/cert-three/status/"+st["id"].(string)+"/", tok, nil).json(t)
		if st["status"] != "complete" {
			return fmt.Errorf("status %v", st["status"])
		}
		return nil
	})
	require.EqualValues(t, 0, st["pending_count"])
	require.Positive(t, st["success_count"])
}
