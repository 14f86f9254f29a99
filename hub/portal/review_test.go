package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// heldSubmission has cert-three send what the demo MoU holds for a
// person's review (a nation-state threat actor) and returns its id.
func heldSubmission(t *testing.T, h *hubtest.Hub) (string, *hubtest.Member) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	objs := doc["objects"].([]any)
	doc["objects"] = append(objs, map[string]any{
		"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
		"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Example State Unit",
		"threat_actor_types": []string{"nation-state"}, "object_marking_refs": objs[1].(map[string]any)["object_marking_refs"],
	})
	bundle, _ := json.Marshal(doc)
	sender := h.Member(t, "cert-three")
	sender.Submit(t, bundle, wire.SubmitOptions{})
	r := sender.NextReceipt(t, 10*time.Second)
	if r.Verdict != policy.Review {
		t.Fatalf("not held: %+v", r)
	}
	return r.Submission, sender
}

// The operator works the review queue in the portal as `geneva admin
// review` does: the approval releases the submission, the sender's
// receipt and the audit name the operator's account. No member's person,
// not even a member admin, may see or settle the queue.
func TestOperatorReviewsHeldSubmissions(t *testing.T) {
	h := devHub(t)
	id, sender := heldSubmission(t, h)

	admin := signIn(t, h, "bank-one-admin", 0)
	if admin.get("/portal/review") != http.StatusForbidden {
		t.Fatalf("a member admin opened the review queue: %d", admin.status)
	}
	admin.get("/portal/directory")
	if admin.post("/portal/review", url.Values{"action": {"approve"}, "submission": {id}}) != http.StatusForbidden {
		t.Fatalf("a member admin approved: %d", admin.status)
	}

	op := signIn(t, h, "operator", 0)
	if op.url != "/portal/review" {
		t.Fatalf("the operator lands on %s", op.url)
	}
	mustContain(t, "review queue", op.body, id, "cert-three", "state_conduct.review")
	op.get("/portal/review/show?submission=" + id)
	mustContain(t, "held bundle", op.body, "Example State Unit")

	if op.post("/portal/review", url.Values{"action": {"approve"}, "submission": {id}}, "Origin", "http://evil.example") != http.StatusForbidden {
		t.Fatalf("a cross-origin approval: %d", op.status)
	}
	op.get("/portal/review")
	if op.post("/portal/review", url.Values{"action": {"approve"}, "submission": {id}}) != 200 {
		t.Fatalf("approve: %d:\n%s", op.status, op.body)
	}
	mustContain(t, "settled", op.body, "Settled: "+id, "<strong>accept</strong>", "Nothing is waiting for review.")
	if r := sender.NextReceipt(t, 10*time.Second); r.Verdict != policy.Accept || r.Reviewer != "operator" {
		t.Fatalf("the sender's second receipt: %+v", r)
	}
	rec := auditRecord(t, h, id, "review.approve")
	if rec["actor"] != "operator" {
		t.Fatalf("audit actor %v, want the operator's account", rec["actor"])
	}
	if op.post("/portal/review", url.Values{"action": {"approve"}, "submission": {id}}) != http.StatusConflict {
		t.Fatalf("approved twice: %d", op.status)
	}
	mustContain(t, "second approval", op.body, "is not waiting for review")
}

func TestOperatorRejectsWithAReasonTheSenderSees(t *testing.T) {
	h := devHub(t)
	id, sender := heldSubmission(t, h)
	op := signIn(t, h, "operator", 0)
	if op.post("/portal/review", url.Values{"action": {"reject"}, "submission": {id}, "note": {"attribution not agreed"}}) != 200 {
		t.Fatalf("reject: %d:\n%s", op.status, op.body)
	}
	mustContain(t, "settled", op.body, "<strong>reject</strong>", "rejected at review by operator: attribution not agreed")
	auditRecord(t, h, id, "review.reject")
	second := sender.NextReceipt(t, 10*time.Second)
	if second.Submission != id || second.Verdict != policy.Reject || second.Reviewer != "operator" {
		t.Fatalf("the sender's second receipt: %+v", second)
	}
}

// auditRecord waits for the audit record of action on submission.
func auditRecord(t *testing.T, h *hubtest.Hub, submission, action string) map[string]any {
	t.Helper()
	op := h.Member(t, wire.OperatorName)
	var found map[string]any
	hubtest.Eventually(t, 30*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := op.JS.Stream(ctx, wire.StreamAudit)
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		for seq := info.State.LastSeq; seq > 0 && seq >= info.State.FirstSeq; seq-- {
			m, err := s.GetMsg(ctx, seq)
			if err != nil {
				return err
			}
			var rec map[string]any
			if json.Unmarshal(m.Data, &rec) == nil && rec["submission_id"] == submission && rec["action"] == action {
				found = rec
				return nil
			}
		}
		return fmt.Errorf("no %q audit record of %s yet", action, submission)
	})
	return found
}
