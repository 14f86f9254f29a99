package crashtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy/tlp"
)

// TestRequestStateSurvivesSIGKILL: a preservation request's state lives
// through a hub killed with SIGKILL right after each step is submitted
// (acknowledged, extended, fulfilled): after each restart the state
// reaches the step, and the audit chain holds every transition exactly
// once and verifies.
func TestRequestStateSurvivesSIGKILL(t *testing.T) {
	tmp := t.TempDir()
	bins, err := crashtest.Build(tmp, "github.com/genevahub/geneva/cmd/geneva-hub")
	require.NoError(t, err)
	h := startHubProcess(t, bins[0], tmp)
	data := tmp + "/data"

	now := time.Now().UTC().Truncate(time.Millisecond)
	req := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, now)
	submit(t, h.url(), data, "le-alpha", requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), "isp-two")
	waitRequestPhase(t, h.url(), data, req.ID, requests.Open, "opened")

	extended := req
	extended.Modified, extended.Deadline = now.Add(time.Minute), now.Add(96*time.Hour)
	for _, step := range []struct {
		member string
		bundle []byte
		to     string
		want   requests.Phase
		event  string
	}{
		{"isp-two", requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusAcknowledged, now, nil), "le-alpha", requests.Acknowledged, "acknowledged"},
		{"le-alpha", requeststest.RequestBundle(t, extended, tlp.AmberStrict, nil), "isp-two", requests.Acknowledged, "extended"},
		{"isp-two", requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusFulfilled, now, nil), "le-alpha", requests.Answered, "fulfilled"},
	} {
		submit(t, h.url(), data, step.member, step.bundle, step.to)
		h.kill(t)
		h.start(t)
		h.waitReady(t)
		waitRequestPhase(t, h.url(), data, req.ID, step.want, step.event)
	}

	js := connect(t, h.url(), data, wire.OperatorName)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := audit.Verify(ctx, js, wire.StreamAudit)
	require.NoError(t, err, "the audit chain verifies")
	c, err := js.OrderedConsumer(ctx, wire.StreamAudit, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	var actions []string
	for range res.Records {
		m, err := c.Next(jetstream.FetchMaxWait(10 * time.Second))
		require.NoError(t, err)
		var r audit.Record
		require.NoError(t, json.Unmarshal(m.Data(), &r))
		if strings.HasPrefix(r.Action, "request.") {
			actions = append(actions, r.Action)
		}
	}
	require.Equal(t, []string{"request.opened", "request.acknowledged", "request.extended", "request.fulfilled"}, actions, "each transition once")
}

// memberConn connects as member with its own creds file.
func memberConn(t *testing.T, url, dataDir, member string) *nats.Conn {
	t.Helper()
	_, opts, err := wire.MemberOptions(wire.CredsPath(dataDir, member), nil)
	require.NoError(t, err)
	nc, err := nats.Connect(url, opts...)
	require.NoError(t, err, "connect as %s", member)
	t.Cleanup(nc.Close)
	return nc
}

// submit stores bundle from member for the named recipients (PubAck: the
// hub has it).
func submit(t *testing.T, url, dataDir, member string, bundle []byte, to ...string) {
	t.Helper()
	js, err := jetstream.New(memberConn(t, url, dataDir, member))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = js.PublishMsg(ctx, wire.SubmitMsg(member, bundle, wire.SubmitOptions{To: to}))
	require.NoError(t, err)
}

// waitRequestPhase waits until le-alpha's view of request id is in want
// after event.
func waitRequestPhase(t *testing.T, url, dataDir, id string, want requests.Phase, event string) {
	t.Helper()
	nc := memberConn(t, url, dataDir, "le-alpha")
	hubtest.Eventually(t, 90*time.Second, func() error {
		body, _ := json.Marshal(wire.RequestsQuery{Action: "show", Request: id})
		msg, err := nc.Request(wire.RequestsService("le-alpha"), body, 5*time.Second)
		if err != nil {
			return err
		}
		var r wire.RequestsReply
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			return err
		}
		if r.Error != "" || len(r.Requests) != 1 {
			return fmt.Errorf("show %s: %s %v", id, r.Error, r.Requests)
		}
		s := r.Requests[0]
		if got := s.Phase; got != want || s.Transitions[len(s.Transitions)-1].Event != event {
			return fmt.Errorf("%s is %s, want %s after %s (events %v)", id, got, want, event, slices.Collect(events(s)))
		}
		return nil
	})
}

func events(s requests.State) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, tr := range s.Transitions {
			if !yield(tr.Event) {
				return
			}
		}
	}
}
