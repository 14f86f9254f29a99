// Package metrics is the hub's Prometheus instrumentation and its HTTP
// endpoints (/healthz, /readyz, /metrics). Everything lives on a registry of
// its own, so several hubs in one test process do not collide.
//
// Labels never carry content: verdicts, member ids and stream names only.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Verdicts are pre-set to zero so dashboards see every series from the start.
var Verdicts = []string{"accept", "partial", "reject", "review"}

// sourceTimeout bounds each read of a Watch source during a scrape.
const sourceTimeout = 2 * time.Second

// Metrics holds the hub's collectors.
type Metrics struct {
	reg          *prometheus.Registry
	submissions  *prometheus.CounterVec
	decisions    prometheus.Histogram
	violations   *prometheus.CounterVec
	refused      *prometheus.CounterVec
	quota        *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
}

// New returns the hub's metrics on a fresh registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_submissions_total",
			Help: "Submissions decided, by verdict.",
		}, []string{"verdict"}),
		decisions: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "geneva_decision_duration_seconds",
			Help:    "Time from taking a submission off the intake stream to acking it (all outputs stored).",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_permission_violations_total",
			Help: "Publish or subscribe attempts NATS refused, by member (\"unknown\" when the connection is not a member's).",
		}, []string{"member"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_refused_replies_total",
			Help: "Requests to a hub service refused for a reply subject outside the asker's reply space, by member (\"unknown\" for the hub account).",
		}, []string{"member"}),
		quota: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_quota_refusals_total",
			Help: "Submissions refused for the member's quota, by member and reason code.",
		}, []string{"member", "code"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_metrics_source_errors_total",
			Help: "Scrapes where a metrics source (consumer_lag, streams) could not be read.",
		}, []string{"source"}),
	}
	for _, v := range Verdicts {
		m.submissions.WithLabelValues(v)
	}
	m.reg.MustRegister(m.submissions, m.decisions, m.violations, m.refused, m.quota, m.sourceErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics are registered, for serving or for tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveDecision counts one decided submission and how long deciding it took.
func (m *Metrics) ObserveDecision(verdict string, d time.Duration) {
	m.submissions.WithLabelValues(verdict).Inc()
	m.decisions.Observe(d.Seconds())
}

// PermissionViolation counts one refused publish or subscribe by member.
func (m *Metrics) PermissionViolation(member string) {
	if member == "" {
		member = "unknown"
	}
	m.violations.WithLabelValues(member).Inc()
}

// RefusedReply counts one service request refused for its reply subject.
func (m *Metrics) RefusedReply(member string) {
	if member == "" {
		member = "unknown"
	}
	m.refused.WithLabelValues(member).Inc()
}

// QuotaRefusal counts one submission refused for member's quota.
func (m *Metrics) QuotaRefusal(member, code string) { m.quota.WithLabelValues(member, code).Inc() }

// WatchConsumerLag registers geneva_consumer_lag_messages{member}, read from
// lag at each scrape: per member, the messages routed to it that it has not
// yet acknowledged. Call it once.
func (m *Metrics) WatchConsumerLag(lag func(ctx context.Context) (map[string]uint64, error)) {
	m.reg.MustRegister(&lagCollector{lag: lag, errs: m.sourceErrors.WithLabelValues("consumer_lag")})
}

// WatchStreams registers geneva_stream_messages{stream} and
// geneva_stream_bytes{stream}, read from streams at each scrape. Call it once.
func (m *Metrics) WatchStreams(streams func(ctx context.Context) ([]StreamSize, error)) {
	m.reg.MustRegister(&streamCollector{streams: streams, errs: m.sourceErrors.WithLabelValues("streams")})
}
