package hub_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// askRequests calls the request service as member m.
func askRequests(t *testing.T, m *hubtest.Member, q wire.RequestsQuery) wire.RequestsReply {
	t.Helper()
	body, err := json.Marshal(q)
	require.NoError(t, err)
	msg, err := m.NC.Request(wire.RequestsService(m.ID), body, 10*time.Second)
	require.NoError(t, err)
	var r wire.RequestsReply
	require.NoError(t, json.Unmarshal(msg.Data, &r))
	return r
}

// waitPhase waits until member m sees request id with recipient in phase.
func waitPhase(t *testing.T, m *hubtest.Member, id, recipient string, want requests.Phase) requests.State {
	t.Helper()
	var got requests.State
	hubtest.Eventually(t, 10*time.Second, func() error {
		for _, s := range askRequests(t, m, wire.RequestsQuery{Action: "list"}).Requests {
			if s.Request == id && s.Recipient == recipient {
				got = s
				if s.Phase == want {
					return nil
				}
				return fmt.Errorf("%s is %s, want %s", id, s.Phase, want)
			}
		}
		return fmt.Errorf("%s not tracked for %s", id, m.ID)
	})
	return got
}

func submitOK(t *testing.T, m *hubtest.Member, bundle []byte, to ...string) wire.Receipt {
	t.Helper()
	m.Submit(t, bundle, wire.SubmitOptions{To: to})
	r := m.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "%+v %+v", r.Reasons, r.Objects)
	return r
}

// TestPreservationRequestEndToEnd: le-alpha asks isp-two to preserve logs;
// isp-two acknowledges, asks for more time, le-alpha extends, isp-two
// fulfils, le-alpha closes. Each member acts with its own credentials, the
// hub tracks every step, only the two parties see the request, and every
// transition is in the audit chain.
func TestPreservationRequestEndToEnd(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	alpha, isp := members["le-alpha"], members["isp-two"]
	now := time.Now().UTC().Truncate(time.Millisecond)
	req := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, now)

	submitOK(t, alpha, requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), "isp-two")
	hubtest.ExpectShares(t, members, map[string]int{"isp-two": 1}, 300*time.Millisecond)
	s := waitPhase(t, alpha, req.ID, "isp-two", requests.Open)
	require.Equal(t, "le-alpha", s.Requester)
	require.Equal(t, req.Deadline, s.Deadline.UTC())
	require.Empty(t, askRequests(t, members["bank-one"], wire.RequestsQuery{Action: "list"}).Requests, "a third member sees nothing")
	require.NotEmpty(t, askRequests(t, members["bank-one"], wire.RequestsQuery{Action: "show", Request: req.ID}).Error)
	require.NotEmpty(t, askRequests(t, isp, wire.RequestsQuery{Action: "close", Request: req.ID}).Error, "only the requester closes")

	// A member that was not asked answers in isp-two's place, and re-sends
	// the request under its own name with a later deadline: policy lets
	// both through (its own identity, to members who had the object), the
	// tracker takes neither.
	bank := members["bank-one"]
	submitOK(t, bank, requeststest.ResponseBundle(t, req.ID, requeststest.BankOne, requests.StatusFulfilled, now, nil), "le-alpha")
	forged := req
	forged.CreatedBy, forged.Kind, forged.Modified, forged.Deadline = requeststest.BankOne, "information", now.Add(time.Minute), now.Add(1000*time.Hour)
	submitOK(t, bank, requeststest.RequestBundle(t, forged, tlp.AmberStrict, nil), "isp-two")

	submitOK(t, isp, requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusAcknowledged, now, nil), "le-alpha")
	s = waitPhase(t, isp, req.ID, "isp-two", requests.Acknowledged)
	require.Equal(t, req.Deadline, s.Deadline.UTC(), "another member cannot extend someone's request")
	require.Equal(t, requests.StatusAcknowledged, s.Status, "nor answer a request it was not asked")
	require.Len(t, s.Transitions, 2, "opened, acknowledged: %+v", s.Transitions)
	asked := now.Add(96 * time.Hour)
	submitOK(t, isp, requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusExtensionRequested, now,
		func(r *requests.Response) { r.RequestedDeadline = asked }), "le-alpha")
	hubtest.Eventually(t, 10*time.Second, func() error {
		if s := waitPhase(t, alpha, req.ID, "isp-two", requests.Acknowledged); !s.RequestedByResp.Equal(asked) {
			return fmt.Errorf("extension not seen yet: %v", s.RequestedByResp)
		}
		return nil
	})

	extended := req
	extended.Modified, extended.Deadline, extended.PreservationDays = now.Add(time.Minute), asked, 120
	submitOK(t, alpha, requeststest.RequestBundle(t, extended, tlp.AmberStrict, nil), "isp-two")
	hubtest.Eventually(t, 10*time.Second, func() error {
		if s := waitPhase(t, isp, req.ID, "isp-two", requests.Acknowledged); !s.Deadline.Equal(asked) || s.PreservationDays != 120 {
			return fmt.Errorf("not extended yet: %v %d", s.Deadline, s.PreservationDays)
		}
		return nil
	})

	submitOK(t, isp, requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusFulfilled, now, nil), "le-alpha")
	s = waitPhase(t, alpha, req.ID, "isp-two", requests.Answered)
	require.Equal(t, requests.StatusFulfilled, s.Status)
	require.True(t, s.PreservedUntil.After(now.AddDate(0, 0, 119)), "preserved for the 120 days asked: %v", s.PreservedUntil)

	closed := askRequests(t, alpha, wire.RequestsQuery{Action: "close", Request: req.ID})
	require.Empty(t, closed.Error)
	require.Equal(t, requests.Closed, closed.Requests[0].Phase)
	// Past the retention after closing, the tracker forgets it; the audit
	// keeps its history.
	require.NoError(t, h.SetRequestClock(ctx(t), func() time.Time { return time.Now().Add(time.Duration(hub.DefaultRetention) + time.Hour) }))
	require.NoError(t, h.TickRequests(ctx(t)))
	require.Empty(t, askRequests(t, alpha, wire.RequestsQuery{Action: "list"}).Requests)

	require.Equal(t, []string{"request.opened", "request.acknowledged", "request.extension-requested", "request.extended",
		"request.fulfilled", "request.closed"}, requestActions(t, h), "every transition is in the audit chain")
	_, err := audit.Verify(ctx(t), h.Member(t, wire.OperatorName).JS, wire.StreamAudit)
	require.NoError(t, err, "the chain holds")
}

// TestIndustryPreservationRequestRefused: a bank may not send a
// preservation request; the receipt says why and nothing is delivered or
// tracked.
func TestIndustryPreservationRequestRefused(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	bank := members["bank-one"]
	req := requeststest.Preservation(t, "preservation", requeststest.BankOne, time.Now())
	bank.Submit(t, requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), wire.SubmitOptions{To: []string{"isp-two"}})
	r := bank.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Reject, r.Verdict)
	var codes []policy.Code
	for _, rs := range r.Reasons {
		codes = append(codes, rs.Code)
	}
	require.Contains(t, codes, policy.CodeRequestSender)
	hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)
	require.Empty(t, askRequests(t, members["isp-two"], wire.RequestsQuery{Action: "list"}).Requests)
}

// TestUnacknowledgedRequestEscalates: at a fake clock past the MoU's
// acknowledgement time, the hub re-sends the request to the recipient
// naming its 24/7 desk, tells the requester, marks the request overdue
// and audits it; once only.
func TestUnacknowledgedRequestEscalates(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	alpha := members["le-alpha"]
	req := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, time.Now())
	submitOK(t, alpha, requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), "isp-two")
	hubtest.ExpectShares(t, members, map[string]int{"isp-two": 1}, 300*time.Millisecond)
	s := waitPhase(t, alpha, req.ID, "isp-two", requests.Open)
	require.Equal(t, time.Hour, s.AckDue.Sub(s.Opened), "the MoU's acknowledge_within")

	require.NoError(t, h.SetRequestClock(ctx(t), func() time.Time { return s.AckDue.Add(-time.Second) }))
	require.NoError(t, h.TickRequests(ctx(t)))
	require.Equal(t, requests.Open, waitPhase(t, alpha, req.ID, "isp-two", requests.Open).Phase, "not before its time")

	require.NoError(t, h.SetRequestClock(ctx(t), func() time.Time { return s.AckDue.Add(time.Minute) }))
	require.NoError(t, h.TickRequests(ctx(t)))
	require.NoError(t, h.TickRequests(ctx(t)))
	s = waitPhase(t, alpha, req.ID, "isp-two", requests.Overdue)
	require.False(t, s.Escalated.IsZero())

	got := hubtest.ExpectShares(t, members, map[string]int{"isp-two": 1, "le-alpha": 1}, 300*time.Millisecond)
	resent := got["isp-two"][0]
	require.Contains(t, resent.Headers().Get(wire.HeaderEscalation), "ISP Two abuse and NOC, +31 20 000 0002, noc@isp-two.example")
	require.Contains(t, string(resent.Data()), req.ID, "the request itself, again")
	flag := got["le-alpha"][0]
	require.Equal(t, wire.HubSender, flag.Headers().Get(wire.HeaderSender))
	require.Contains(t, string(flag.Data()), `"type":"note"`)
	require.Contains(t, string(flag.Data()), req.ID)

	require.Equal(t, []string{"request.opened", "request.escalated"}, requestActions(t, h))
}

// requestActions are the request transitions in the audit chain, in order.
func requestActions(t *testing.T, h *hubtest.Hub) []string {
	t.Helper()
	recs := auditStream(t, h)
	var out []string
	for _, seq := range slices.Sorted(maps.Keys(recs)) {
		var rec struct{ Action string }
		require.NoError(t, json.Unmarshal(recs[seq], &rec))
		if strings.HasPrefix(rec.Action, "request.") {
			out = append(out, rec.Action)
		}
	}
	return out
}

// TestRequestStateSurvivesARestart: the states come back after a restart
// on the same data, and an unreadable entry in the bucket is skipped
// rather than keeping the hub from starting.
func TestRequestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	alpha := h.Member(t, "le-alpha")
	req := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, time.Now())
	submitOK(t, alpha, requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), "isp-two")
	waitPhase(t, alpha, req.ID, "isp-two", requests.Open)
	kv, err := h.Member(t, wire.OperatorName).JS.KeyValue(ctx(t), wire.BucketRequests)
	require.NoError(t, err)
	_, err = kv.Put(ctx(t), "geneva-request--00000000-0000-4000-8000-000000000000.isp-two", []byte("not json"))
	require.NoError(t, err)
	require.NoError(t, h.Stop())

	h = hubtest.StartHub(t, hubtest.WithDir(dir))
	s := waitPhase(t, h.Member(t, "le-alpha"), req.ID, "isp-two", requests.Open)
	require.Equal(t, []string{"request.opened"}, requestActions(t, h), "nothing replayed into the audit")
	require.Len(t, s.Transitions, 1)
}
