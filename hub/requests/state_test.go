package requests_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/requests"
)

// TestRequestLifecycle walks one preservation request through every phase
// at a fake clock: escalated once when unacknowledged, acknowledged,
// extension asked and granted, overdue past the deadline, fulfilled with
// the preservation period tracked, closed by the requester only.
func TestRequestLifecycle(t *testing.T) {
	r := requests.Request{ID: "geneva-request--3f1e5c62-8d0a-4b8e-9c3e-2a7d4b5c6e01", Kind: "preservation", Created: t0,
		Deadline: t0.Add(48 * time.Hour), PreservationDays: 60}
	s := requests.Sent(r, "le-alpha", "isp-two", "sub-1", 7, "amber+strict", t0, time.Hour)
	require.Equal(t, requests.Open, s.Phase)
	require.Equal(t, t0.Add(time.Hour), s.Next())

	changed, esc := s.Tick(t0.Add(59 * time.Minute))
	require.False(t, changed || esc, "not due yet")
	changed, esc = s.Tick(t0.Add(time.Hour))
	require.True(t, changed && esc, "unacknowledged at the MoU's time: escalate")
	require.Equal(t, requests.Overdue, s.Phase)
	_, esc = s.Tick(t0.Add(2 * time.Hour))
	require.False(t, esc, "escalated once")

	_, err := s.Respond(requests.Response{Status: requests.StatusAcknowledged}, "bank-one", t0.Add(2*time.Hour))
	require.Error(t, err, "only the recipient answers")
	ok, err := s.Respond(requests.Response{Status: requests.StatusAcknowledged}, "isp-two", t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, requests.Acknowledged, s.Phase)
	ok, _ = s.Respond(requests.Response{Status: requests.StatusAcknowledged}, "isp-two", t0.Add(3*time.Hour))
	require.False(t, ok, "a repeat changes nothing")

	asked := t0.Add(96 * time.Hour)
	ok, _ = s.Respond(requests.Response{Status: requests.StatusExtensionRequested, RequestedDeadline: asked}, "isp-two", t0.Add(4*time.Hour))
	require.True(t, ok)
	require.Equal(t, asked, s.RequestedByResp)

	changed, _ = s.Tick(t0.Add(48 * time.Hour))
	require.True(t, changed)
	require.Equal(t, requests.Overdue, s.Phase, "past the deadline, unanswered")

	r2 := r
	r2.Modified, r2.Deadline, r2.PreservationDays = t0.Add(49*time.Hour), asked, 90
	require.True(t, s.Update(r2, t0.Add(49*time.Hour)))
	require.Equal(t, requests.Acknowledged, s.Phase, "extended: the deadline is ahead again")
	require.False(t, s.Update(r2, t0.Add(50*time.Hour)), "the same version twice")

	at := t0.Add(50 * time.Hour)
	ok, _ = s.Respond(requests.Response{Status: requests.StatusFulfilled}, "isp-two", at)
	require.True(t, ok)
	require.Equal(t, requests.Answered, s.Phase)
	require.Equal(t, at.AddDate(0, 0, 90), s.PreservedUntil, "preserved for the days asked")

	_, err = s.Close("isp-two", at)
	require.Error(t, err, "only the requester closes")
	ok, err = s.Close("le-alpha", at)
	require.NoError(t, err)
	require.True(t, ok)
	var events []string
	for _, tr := range s.Transitions {
		events = append(events, tr.Event+":"+string(tr.To))
	}
	require.Equal(t, []string{"opened:open", "escalated:overdue", "acknowledged:acknowledged", "extension-requested:acknowledged",
		"deadline-passed:overdue", "extended:acknowledged", "fulfilled:answered", "closed:closed"}, events)
}
