package daemon

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the connector's Prometheus metrics, on its own registry.
type Metrics struct {
	Registry     *prometheus.Registry
	SourceItems  *prometheus.CounterVec // by source and outcome: spooled, duplicate, refused, nacked
	Submitted    prometheus.Counter
	Receipts     *prometheus.CounterVec // by verdict
	Rejections   prometheus.Counter
	Deliveries   *prometheus.CounterVec // by sink and outcome: written, refused_tlp, retry, dead_letter
	SpoolFull    prometheus.Counter
	Backpressure prometheus.Gauge
	HubConnected prometheus.Gauge
	DeadLetters  prometheus.Counter
}

func newMetrics(spool *Spool) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		SourceItems: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_connector_source_items_total",
			Help: "Items read from sources, by outcome (spooled, duplicate, refused, nacked)."}, []string{"source", "outcome"}),
		Submitted: prometheus.NewCounter(prometheus.CounterOpts{Name: "geneva_connector_submitted_total",
			Help: "Submissions the hub acknowledged (PubAck)."}),
		Receipts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_connector_receipts_total",
			Help: "Receipts matched to submissions, by verdict."}, []string{"verdict"}),
		Rejections: prometheus.NewCounter(prometheus.CounterOpts{Name: "geneva_connector_rejections_total",
			Help: "Submissions the hub rejected."}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_connector_deliveries_total",
			Help: "Deliveries to sinks, by outcome (written, refused_tlp, retry, dead_letter)."}, []string{"sink", "outcome"}),
		SpoolFull: prometheus.NewCounter(prometheus.CounterOpts{Name: "geneva_connector_spool_full_total",
			Help: "Times a source was held back because the spool was full."}),
		Backpressure: prometheus.NewGauge(prometheus.GaugeOpts{Name: "geneva_connector_backpressure",
			Help: "1 while sources are held back by a full spool."}),
		HubConnected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "geneva_connector_hub_connected",
			Help: "1 while connected to the hub."}),
		DeadLetters: prometheus.NewCounter(prometheus.CounterOpts{Name: "geneva_connector_dead_letters_total",
			Help: "Queued submissions the hub can never take, moved to deadletter/outbound/."}),
	}
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "geneva_connector_spool_items",
		Help: "Submissions in the spool waiting for the hub."}, func() float64 { n, _ := spool.Len(); return float64(n) })
	qbytes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "geneva_connector_spool_bytes",
		Help: "Bytes in the spool waiting for the hub."}, func() float64 { _, b := spool.Len(); return float64(b) })
	waiting := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "geneva_connector_awaiting_receipt",
		Help: "Submissions sent and waiting for their receipt."}, func() float64 { return float64(spool.Sending()) })
	m.Registry.MustRegister(m.SourceItems, m.Submitted, m.Receipts, m.Rejections, m.Deliveries,
		m.SpoolFull, m.Backpressure, m.HubConnected, m.DeadLetters, queued, qbytes, waiting)
	return m
}

// handler serves /healthz and /metrics.
func (c *Connector) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(c.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		n, b := c.spool.Len()
		hubState := "disconnected"
		if c.hub != nil && c.hub.Connected() {
			hubState = "connected"
		}
		health := map[string]any{"status": "ok", "member": c.member, "hub": hubState,
			"spool_items": n, "spool_bytes": b, "awaiting_receipt": c.spool.Sending(), "max_submission_bytes": c.SizeLimit()}
		w.Header().Set("Content-Type", "application/json")
		if stuck, ok := c.stuck.state(c.cfg.HTTP.StuckAfter); ok {
			// Nothing queued behind the head reaches the hub: not healthy.
			health["status"], health["stuck"] = "stuck", stuck
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(health)
	})
	return mux
}
