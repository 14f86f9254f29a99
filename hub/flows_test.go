package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// shareGreenToAll has bank-one share a GREEN bundle with everyone and
// returns its receipt, checked accepted: a share waiting in every inbox.
func shareGreenToAll(t *testing.T, h *hubtest.Hub) wire.Receipt {
	bank := h.Member(t, "bank-one")
	bank.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	first := bank.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, first.Verdict)
	return first
}

func caseBundle(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", name))
	require.NoError(t, err)
	return b
}

// editBundle decodes a bundle, lets f change its objects and encodes it.
func editBundle(t *testing.T, b []byte, f func(objects []map[string]any) []map[string]any) []byte {
	t.Helper()
	var doc struct {
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Objects []map[string]any `json:"objects"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	doc.Objects = f(doc.Objects)
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

var othersOfBankOne = map[string]int{"le-alpha": 1, "le-bravo": 1, "isp-two": 1, "cert-three": 1}

func TestAnonymousSubmission(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	members["bank-one"].Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{Anonymous: true})

	r := members["bank-one"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "%+v", r.Reasons)
	require.Equal(t, "bank-one", r.Member, "the receipt keeps the real sender")
	require.True(t, r.Anonymous)

	got := hubtest.ExpectShares(t, members, othersOfBankOne, 300*time.Millisecond)
	for id, shares := range got {
		s := shares[0]
		require.Equal(t, wire.AnonymousSender, s.Headers().Get(wire.HeaderSender))
		require.Equal(t, id, s.Headers().Get(wire.HeaderAudience), "the audience must not reveal who is missing")
		require.NotContains(t, s.Subject(), "bank-one")
		require.NotContains(t, s.Headers().Get(wire.HeaderSubmission), "bank-one")
		require.NotContains(t, string(s.Data()), "bank-one")
	}

	op := h.Member(t, wire.OperatorName)
	rec := auditRecord(t, op, r.Submission, "decide")
	require.Equal(t, "bank-one", rec["member"], "the audit keeps the real sender")
}

// auditRecord waits for the audit record of submission with action and
// returns it. It is appended after the receipt (and, for an intake
// decision, may land after a review's record), so neither "there yet" nor
// "the last one" can be assumed; 30s bounds it on a loaded machine.
func auditRecord(t *testing.T, op *hubtest.Member, submission, action string) map[string]any {
	t.Helper()
	s, err := op.JS.Stream(ctx(t), wire.StreamAudit)
	require.NoError(t, err)
	var found map[string]any
	hubtest.Eventually(t, 30*time.Second, func() error {
		info, err := s.Info(ctx(t))
		if err != nil {
			return err
		}
		for seq := info.State.LastSeq; seq > 0 && seq >= info.State.FirstSeq; seq-- {
			m, err := s.GetMsg(ctx(t), seq)
			if err != nil {
				return err
			}
			var rec map[string]any
			if err := json.Unmarshal(m.Data, &rec); err != nil {
				return err
			}
			if rec["submission_id"] == submission && rec["action"] == action {
				found = rec
				return nil
			}
		}
		return fmt.Errorf("no %q audit record of %s yet", action, submission)
	})
	return found
}

func TestClassifiedIsErasedEverywhere(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	bundle := caseBundle(t, "classified-secret-statement.json")
	ack := members["bank-one"].Submit(t, bundle, wire.SubmitOptions{})

	r := members["bank-one"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Reject, r.Verdict)
	require.True(t, r.Classified)
	hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)

	op := h.Member(t, wire.OperatorName)
	intake, err := op.JS.Stream(ctx(t), wire.IntakeStream("bank-one"))
	require.NoError(t, err)
	hubtest.Eventually(t, 30*time.Second, func() error { // erased after the receipt and the audit record
		if _, err := intake.GetMsg(ctx(t), ack.Sequence); !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("the intake copy is not erased: %v", err)
		}
		return nil
	})

	// Nothing of the content anywhere: not the statement, not the object
	// ids, not the pattern; the digest only.
	secrets := []string{"ca3883aa-8bbb-5a2b-a739-11cc049cd757", "SECRET", "pattern"}
	receipt, err := json.Marshal(r)
	require.NoError(t, err)
	rec := auditRecord(t, op, r.Submission, "decide")
	audit, err := json.Marshal(rec)
	require.NoError(t, err)
	for _, where := range []struct{ name, text string }{{"receipt", string(receipt)}, {"audit", string(audit)}} {
		for _, s := range secrets {
			require.NotContains(t, where.text, s, "%s holds content", where.name)
		}
	}
	require.Equal(t, r.Digest, rec["digest"])
	for _, s := range []string{wire.StreamShare, wire.StreamReview} {
		st, err := op.JS.Stream(ctx(t), s)
		require.NoError(t, err)
		require.Zero(t, st.CachedInfo().State.Msgs, "%s holds something", s)
	}
}

// reviewBundle is a GREEN bundle the demo MoU holds for review (a
// nation-state threat actor).
func reviewBundle(t *testing.T) []byte {
	return editBundle(t, caseBundle(t, "green-tlp2-to-all.json"), func(objs []map[string]any) []map[string]any {
		marking := objs[1]["object_marking_refs"]
		return append(objs, map[string]any{
			"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
			"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Example State Unit",
			"threat_actor_types": []string{"nation-state"}, "object_marking_refs": marking,
		})
	})
}

// A member's own JetStream headers on its submission (here an expectation
// its intake stream meets) must not follow the held copy into the review
// stream, where the expectation fails on every retry and the submission
// never reaches review or its receipt.
func TestReviewIgnoresTheSendersJetStreamHeaders(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	msg := wire.SubmitMsg("cert-three", reviewBundle(t), wire.SubmitOptions{})
	msg.Header.Set(jetstream.ExpectedStreamHeader, wire.IntakeStream("cert-three"))
	_, err := members["cert-three"].JS.PublishMsg(ctx(t), msg)
	require.NoError(t, err)
	r := members["cert-three"].NextReceipt(t, 20*time.Second)
	require.Equal(t, policy.Review, r.Verdict, "%+v", r.Reasons)
	review, err := h.Member(t, wire.OperatorName).JS.Stream(ctx(t), wire.StreamReview)
	require.NoError(t, err)
	var held *jetstream.RawStreamMsg
	require.Eventually(t, func() bool {
		held, err = review.GetLastMsgForSubject(ctx(t), wire.ReviewSubject("cert-three"))
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "the held copy reaches the review stream")
	require.Equal(t, r.Submission, held.Header.Get(wire.HeaderSubmission))
	require.Empty(t, held.Header.Get(jetstream.ExpectedStreamHeader))
}

func TestReviewWaits(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	bundle := reviewBundle(t)
	members["cert-three"].Submit(t, bundle, wire.SubmitOptions{})
	r := members["cert-three"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Review, r.Verdict, "%+v", r.Reasons)
	hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)

	op := h.Member(t, wire.OperatorName)
	review, err := op.JS.Stream(ctx(t), wire.StreamReview)
	require.NoError(t, err)
	m, err := review.GetLastMsgForSubject(ctx(t), wire.ReviewSubject("cert-three"))
	require.NoError(t, err)
	require.Equal(t, r.Submission, m.Header.Get(wire.HeaderSubmission))
	require.Equal(t, bundle, m.Data)

	ask := func(req hub.ReviewRequest) hub.ReviewReply {
		t.Helper()
		b, _ := json.Marshal(req)
		resp, err := op.NC.Request(wire.SubjectReviewService, b, 10*time.Second)
		require.NoError(t, err)
		var reply hub.ReviewReply
		require.NoError(t, json.Unmarshal(resp.Data, &reply))
		return reply
	}
	list := ask(hub.ReviewRequest{Action: "list"})
	require.Empty(t, list.Error)
	require.Len(t, list.Items, 1)
	require.Equal(t, "cert-three", list.Items[0].Member)
	for _, reason := range r.Reasons {
		require.Contains(t, list.Items[0].Reasons, string(reason.Code), "the list says why it is held")
	}
	require.NotEmpty(t, list.Items[0].Reasons)
	show := ask(hub.ReviewRequest{Action: "show", Submission: r.Submission})
	require.JSONEq(t, string(bundle), string(show.Bundle))

	t.Run("approve releases it", func(t *testing.T) {
		reply := ask(hub.ReviewRequest{Action: "approve", Submission: r.Submission, Actor: "duty-officer"})
		require.Empty(t, reply.Error)
		require.Equal(t, policy.Accept, reply.Receipt.Verdict)
		second := members["cert-three"].NextReceipt(t, 10*time.Second)
		require.Equal(t, r.Submission, second.Submission)
		require.Equal(t, "review", second.Review)
		require.Equal(t, "duty-officer", second.Reviewer)
		hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1, "bank-one": 1, "isp-two": 1}, 300*time.Millisecond)
		rec := auditRecord(t, op, r.Submission, "review.approve")
		require.Equal(t, "duty-officer", rec["actor"])
		require.Empty(t, ask(hub.ReviewRequest{Action: "list"}).Items, "nothing waits any more")
		require.Contains(t, ask(hub.ReviewRequest{Action: "approve", Submission: r.Submission}).Error, "not waiting")
	})

	t.Run("reject tells the sender why and shares nothing", func(t *testing.T) {
		members["cert-three"].Submit(t, bundle, wire.SubmitOptions{})
		held := members["cert-three"].NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Review, held.Verdict)
		reply := ask(hub.ReviewRequest{Action: "reject", Submission: held.Submission, Note: "attribution not sourced"})
		require.Empty(t, reply.Error)
		final := members["cert-three"].NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Reject, final.Verdict)
		require.Contains(t, string(mustJSON(t, final)), "attribution not sourced")
		require.Contains(t, string(mustJSON(t, final)), string(hub.CodeReviewRejected))
		hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)
		auditRecord(t, op, held.Submission, "review.reject")
	})
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	creds, err := os.ReadFile(wire.CredsPath(dir, "le-alpha"))
	require.NoError(t, err)
	bank := h.Member(t, "bank-one")
	bank.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	first := bank.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, first.Verdict)
	require.NoError(t, h.Stop())

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	again, err := os.ReadFile(wire.CredsPath(dir, "le-alpha"))
	require.NoError(t, err)
	require.Equal(t, creds, again, "the same keys")
	members := connectAll(t, h) // the same creds files still work
	got := hubtest.ExpectShares(t, members, othersOfBankOne, 300*time.Millisecond)
	require.Equal(t, first.Submission, got["le-alpha"][0].Headers().Get(wire.HeaderSubmission), "the share waited in the inbox")

	members["bank-one"].Submit(t, caseBundle(t, "clear-to-all.json"), wire.SubmitOptions{})
	second := members["bank-one"].NextReceipt(t, 10*time.Second)
	require.NotEqual(t, first.Submission, second.Submission, "submission ids do not restart")
}

func TestMonotonicMarkingsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	amber := caseBundle(t, "amber-to-all.json")
	isp := h.Member(t, "isp-two")
	isp.Submit(t, amber, wire.SubmitOptions{})
	require.Equal(t, policy.Accept, isp.NextReceipt(t, 10*time.Second).Verdict)
	require.NoError(t, h.Stop())

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	// The same indicator, re-marked GREEN by someone else: the hub remembers
	// (rebuilt from the receipts) that it was shared at AMBER.
	green := editBundle(t, caseBundle(t, "green-tlp2-to-all.json"), func(objs []map[string]any) []map[string]any {
		objs[1]["id"] = "indicator--71052ab5-c7af-5fd7-b821-8b58cb607196"
		objs[1]["modified"] = "2026-11-01T00:00:00.000Z"
		return objs
	})
	bank := h.Member(t, "bank-one")
	bank.Submit(t, green, wire.SubmitOptions{})
	r := bank.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Reject, r.Verdict)
	require.Contains(t, string(mustJSON(t, r)), "monotonic.tlp_lowered")
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestSubscribeServiceDoesNotConsumeTheInbox(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	alpha := members["le-alpha"]
	sub, err := alpha.NC.SubscribeSync(wire.DeliverSubject("le-alpha", "s1"))
	require.NoError(t, err)
	req, _ := json.Marshal(wire.SubscribeRequest{Session: "s1", TLP: []tlp.Level{tlp.Green}})
	resp, err := alpha.NC.Request(wire.SubscribeService("le-alpha"), req, 5*time.Second)
	require.NoError(t, err)
	var reply wire.SubscribeReply
	require.NoError(t, json.Unmarshal(resp.Data, &reply))
	require.Empty(t, reply.Error)

	bank := members["bank-one"]
	bank.Submit(t, caseBundle(t, "clear-to-all.json"), wire.SubmitOptions{}) // CLEAR: filtered out
	bank.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	for range 2 {
		bank.NextReceipt(t, 10*time.Second)
	}
	var live *nats.Msg
	for live == nil || live.Header.Get(wire.HeaderTLP) == "" { // skip heartbeats
		live, err = sub.NextMsg(5 * time.Second)
		require.NoError(t, err)
	}
	require.Equal(t, "green", live.Header.Get(wire.HeaderTLP))
	require.Equal(t, "bank-one", live.Header.Get(wire.HeaderSender))
	require.Equal(t, uint64(1), reply.StartSeq, "new shares of an empty stream start at 1")
	got := hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 2, "le-bravo": 2, "isp-two": 2, "cert-three": 2}, 300*time.Millisecond)
	require.Len(t, got["le-alpha"], 2, "the subscription consumed nothing of the inbox")

	t.Run("the reply says where the view starts", func(t *testing.T) {
		meta, err := live.Metadata()
		require.NoError(t, err)
		var last uint64 // both shares went to everyone: one message each
		for _, m := range got["le-alpha"] {
			md, err := m.Metadata()
			require.NoError(t, err)
			last = max(last, md.Sequence.Stream)
		}
		_, err = alpha.NC.SubscribeSync(wire.DeliverSubject("le-alpha", "s2"))
		require.NoError(t, err)
		for req, want := range map[string]uint64{
			`{"session":"s2","start_seq":` + fmt.Sprint(meta.Sequence.Stream) + `}`: meta.Sequence.Stream,
			`{"session":"s2"}`: last + 1,
		} {
			resp, err := alpha.NC.Request(wire.SubscribeService("le-alpha"), []byte(req), 5*time.Second)
			require.NoError(t, err)
			var r wire.SubscribeReply
			require.NoError(t, json.Unmarshal(resp.Data, &r))
			require.Empty(t, r.Error)
			require.Equal(t, want, r.StartSeq, req)
		}
	})

	t.Run("bad requests get a clear error", func(t *testing.T) {
		for _, body := range []string{`{"session":"a.b"}`, `{"session":"s","tlp":["purple"]}`, `{"session":"s","tlp":["none"]}`, `{"session":"s","tlp":[42]}`, `nope`} {
			resp, err := alpha.NC.Request(wire.SubscribeService("le-alpha"), []byte(body), 5*time.Second)
			require.NoError(t, err)
			require.True(t, bytes.Contains(resp.Data, []byte(`"error"`)), "%s: %s", body, resp.Data)
		}
	})
}

func TestMetricsAndHealth(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := h.Member(t, "bank-one")
	bank.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	bank.NextReceipt(t, 10*time.Second)
	require.NoError(t, bank.NC.Publish(wire.SubmitSubject("isp-two"), []byte("{}")))
	require.NoError(t, bank.NC.Flush())

	get := func(path string) string {
		resp, err := http.Get("http://" + h.HTTPAddr() + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
		return string(b)
	}
	require.Equal(t, "ok\n", get("/healthz"))
	require.Equal(t, "ready\n", get("/readyz"))
	hubtest.Eventually(t, 5*time.Second, func() error {
		body := get("/metrics")
		for _, want := range []string{
			`geneva_submissions_total{verdict="accept"} 1`,
			`geneva_permission_violations_total{member="bank-one"} 1`,
			`geneva_consumer_lag_messages{member="le-alpha"} 1`,
			`geneva_stream_messages{stream="GENEVA_SHARE"} 1`,
		} {
			if !strings.Contains(body, want) {
				return fmt.Errorf("/metrics lacks %s", want)
			}
		}
		return nil
	})
}

func TestDirectoryAnswersMembers(t *testing.T) {
	h := hubtest.StartHub(t)
	isp := h.Member(t, "isp-two")
	resp, err := isp.NC.Request(wire.SubjectDirectory, []byte(`{"type":"law-enforcement"}`), 5*time.Second)
	require.NoError(t, err)
	var d directory.Response
	require.NoError(t, json.Unmarshal(resp.Data, &d))
	require.Empty(t, d.Error)
	var ids []string
	for _, m := range d.Members {
		ids = append(ids, m.ID)
		require.NotEmpty(t, m.Contact.Phone)
	}
	require.ElementsMatch(t, []string{"le-alpha", "le-bravo"}, ids)
}

func TestSubscriptionsAreLimited(t *testing.T) {
	h := hubtest.StartHub(t)
	alpha := h.Member(t, "le-alpha")
	ask := func(session string) wire.SubscribeReply {
		_, err := alpha.NC.SubscribeSync(wire.DeliverSubject("le-alpha", session)) // keep it alive
		require.NoError(t, err)
		req, _ := json.Marshal(wire.SubscribeRequest{Session: session})
		resp, err := alpha.NC.Request(wire.SubscribeService("le-alpha"), req, 5*time.Second)
		require.NoError(t, err)
		var r wire.SubscribeReply
		require.NoError(t, json.Unmarshal(resp.Data, &r))
		return r
	}
	for i := range hub.MaxSubscriptions {
		require.Empty(t, ask(fmt.Sprint("s", i)).Error)
	}
	require.Contains(t, ask("one-too-many").Error, "at most")
	// Another member is not affected by le-alpha's subscriptions.
	bravo := h.Member(t, "le-bravo")
	resp, err := bravo.NC.Request(wire.SubscribeService("le-bravo"), []byte(`{"session":"b"}`), 5*time.Second)
	require.NoError(t, err)
	require.NotContains(t, string(resp.Data), "error")
}
