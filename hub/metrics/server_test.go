package metrics_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/metrics"
)

// serve starts NewServer on a real listener and returns its base URL.
func serve(t *testing.T, m *metrics.Metrics, ready func() error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := metrics.NewServer(ln.Addr().String(), m, ready)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code, body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	require.NoError(t, err)
	return families
}

// value returns the value of the series of family name with the given
// label (or the only series when label is "").
func value(t *testing.T, families map[string]*dto.MetricFamily, name, label, labelValue string) float64 {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no metric family %s", name)
	for _, m := range f.GetMetric() {
		if label != "" && !hasLabel(m, label, labelValue) {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s{%s=%q}", name, label, labelValue)
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

func TestHealthAndReadiness(t *testing.T) {
	var notReady atomic.Pointer[error]
	starting := errors.New("provisioning streams")
	notReady.Store(&starting)
	base := serve(t, metrics.New(), func() error { return *notReady.Load() })

	code, body := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)

	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "not ready: provisioning streams\n", body)

	var none error
	notReady.Store(&none)
	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ready\n", body)

	code, _ = get(t, base+"/nothing")
	require.Equal(t, http.StatusNotFound, code)
}

func TestNilReadyMeansReady(t *testing.T) {
	code, _ := get(t, serve(t, metrics.New(), nil)+"/readyz")
	require.Equal(t, http.StatusOK, code)
}

func TestExposition(t *testing.T) {
	m := metrics.New()
	m.ObserveDecision("accept", 300*time.Microsecond)
	m.ObserveDecision("accept", 2*time.Millisecond)
	m.ObserveDecision("reject", 40*time.Millisecond)
	m.PermissionViolation("isp-two")
	m.PermissionViolation("isp-two")
	m.PermissionViolation("")
	m.WatchConsumerLag(func(context.Context) (map[string]uint64, error) {
		return map[string]uint64{"le-alpha": 7, "bank-one": 0}, nil
	})
	m.WatchStreams(func(context.Context) ([]metrics.StreamSize, error) {
		return []metrics.StreamSize{{Stream: "GENEVA_SHARE", Messages: 12, Bytes: 3456}}, nil
	})
	fams := scrape(t, serve(t, m, nil))

	require.Equal(t, 2.0, value(t, fams, "geneva_submissions_total", "verdict", "accept"))
	require.Equal(t, 1.0, value(t, fams, "geneva_submissions_total", "verdict", "reject"))
	require.Equal(t, 0.0, value(t, fams, "geneva_submissions_total", "verdict", "review"), "known verdicts start at zero")

	h := fams["geneva_decision_duration_seconds"].GetMetric()[0].GetHistogram()
	require.Equal(t, uint64(3), h.GetSampleCount())
	require.InDelta(t, 0.0423, h.GetSampleSum(), 1e-9)
	cumulative := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		cumulative[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	require.Equal(t, uint64(0), cumulative[0.00025])
	require.Equal(t, uint64(1), cumulative[0.0005])
	require.Equal(t, uint64(2), cumulative[0.0025])
	require.Equal(t, uint64(3), cumulative[0.05])

	require.Equal(t, 2.0, value(t, fams, "geneva_permission_violations_total", "member", "isp-two"))
	require.Equal(t, 1.0, value(t, fams, "geneva_permission_violations_total", "member", "unknown"))
	require.Equal(t, 7.0, value(t, fams, "geneva_consumer_lag_messages", "member", "le-alpha"))
	require.Equal(t, 0.0, value(t, fams, "geneva_consumer_lag_messages", "member", "bank-one"))
	require.Equal(t, 12.0, value(t, fams, "geneva_stream_messages", "stream", "GENEVA_SHARE"))
	require.Equal(t, 3456.0, value(t, fams, "geneva_stream_bytes", "stream", "GENEVA_SHARE"))
	require.Contains(t, fams, "go_goroutines")
	require.Contains(t, fams, "process_cpu_seconds_total")
}

// A source that fails is counted and does not hide the other metrics.
func TestFailingSourceKeepsTheRest(t *testing.T) {
	m := metrics.New()
	m.ObserveDecision("review", time.Millisecond)
	m.WatchConsumerLag(func(context.Context) (map[string]uint64, error) {
		return nil, errors.New("nats: timeout")
	})
	base := serve(t, m, nil)
	scrape(t, base)
	scrape(t, base)
	fams := scrape(t, base)

	require.Equal(t, 1.0, value(t, fams, "geneva_submissions_total", "verdict", "review"))
	// Collectors run concurrently, so a scrape may or may not show its own
	// failure; the two before it are certainly counted.
	require.GreaterOrEqual(t, value(t, fams, "geneva_metrics_source_errors_total", "source", "consumer_lag"), 2.0)
	require.NotContains(t, fams, "geneva_consumer_lag_messages")
}

// Two hubs in one process do not share state.
func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.ObserveDecision("accept", time.Millisecond)
	require.Equal(t, 1.0, value(t, scrape(t, serve(t, a, nil)), "geneva_submissions_total", "verdict", "accept"))
	require.Equal(t, 0.0, value(t, scrape(t, serve(t, b, nil)), "geneva_submissions_total", "verdict", "accept"))
}
