package taxii_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// TestRespondAsync: a POST with Prefer: respond-async is answered without
// waiting for the decision, yet only once the submission and its status
// are stored: a hub stopped right after the answers still has every
// status after a restart, and decides every submission (none is lost).
func TestRespondAsync(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, hubtest.WithDir(dir))
	tok := h.token(t, "cert-three")
	const posts = 20
	ids := make([]string, posts)
	for i := range ids {
		r := h.postPreferring(t, "respond-async", tok, envelope(indicator(i)))
		require.Equal(t, 202, r.status, "%s", r.body)
		require.Equal(t, "respond-async", r.header.Get("Preference-Applied"))
		st := r.json(t)
		require.Contains(t, []any{"pending", "complete"}, st["status"], "%s", r.body)
		require.EqualValues(t, 1, st["total_count"], "%s", r.body)
		ids[i] = st["id"].(string)
	}
	require.NoError(t, h.Stop())

	h = startHub(t, hubtest.WithDir(dir))
	// A submission the stopped hub's worker had in hand is redelivered
	// after the worker's AckWait (30 s; hub TestShutdownMidStreamLosesNothing):
	// wait up to twice that.
	hubtest.Eventually(t, time.Minute, func() error {
		for _, id := range ids {
			r := h.call(t, "GET", "/taxii2/cert-three/status/"+id+"/", tok, nil)
			if r.status != 200 {
				return fmt.Errorf("status %s: %d %s", id, r.status, r.body)
			}
			if st := r.json(t); st["status"] != "complete" || st["success_count"] != float64(1) {
				return fmt.Errorf("status %s: %v", id, st)
			}
		}
		return nil
	})
}

// postPreferring posts body to the member's submit collection with the
// HTTP Prefer header prefer.
func (h *taxiiHub) postPreferring(t *testing.T, prefer, token string, body []byte) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), "POST", h.base+"/taxii2/cert-three/collections/submit/objects/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Prefer", prefer)
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	return readResponse(t, resp)
}

// TestCompleteStatusSurvivesRestart: a status answered complete is
// stored after its answer, without the POST waiting for it; it is in the
// status bucket within a few seconds, and a restarted hub answers it.
func TestCompleteStatusSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, hubtest.WithDir(dir))
	tok := h.token(t, "cert-three")
	const posts = 10
	ids := make([]string, posts)
	for i := range ids {
		r := h.postPreferring(t, "wait=30", tok, envelope(indicator(1000+i)))
		require.Equal(t, 202, r.status, "%s", r.body)
		st := r.json(t)
		require.Equal(t, "complete", st["status"], "%s", r.body)
		ids[i] = st["id"].(string)
	}
	op, err := h.Connect(wire.OperatorName)
	require.NoError(t, err)
	defer op.NC.Close()
	js, err := jetstream.New(op.NC)
	require.NoError(t, err)
	hubtest.Eventually(t, 10*time.Second, func() error {
		kv, err := js.KeyValue(context.Background(), hub.BucketTAXIIStatus)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := kv.Get(context.Background(), id); err != nil {
				return fmt.Errorf("status %s: %w", id, err)
			}
		}
		return nil
	})
	op.NC.Close()
	require.NoError(t, h.Stop())

	h = startHub(t, hubtest.WithDir(dir))
	for _, id := range ids {
		r := h.call(t, "GET", "/taxii2/cert-three/status/"+id+"/", tok, nil)
		require.Equal(t, 200, r.status, "%s", r.body)
		st := r.json(t)
		require.Equal(t, "complete", st["status"], "%s", r.body)
		require.EqualValues(t, 1, st["success_count"], "%s", r.body)
	}
}
