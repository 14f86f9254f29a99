package archive

import "github.com/prometheus/client_golang/prometheus"

// metrics are the bridge's Prometheus series. Register them with
// (*Bridge).Collector.
type metrics struct {
	lag     *prometheus.GaugeVec   // stream messages not archived yet
	records *prometheus.CounterVec // records written, by topic
	errors  *prometheus.CounterVec // failed write sessions, by topic
	skipped *prometheus.CounterVec // malformed messages set aside as dead letters, by stream
	lost    *prometheus.CounterVec // messages that left the stream unarchived, by stream
}

func newMetrics() *metrics {
	return &metrics{
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "geneva_archive_lag_messages",
			Help: "Messages in the JetStream stream that are not in Kafka yet."}, []string{"stream"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_archive_records_total",
			Help: "Records the bridge wrote to Kafka."}, []string{"topic"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_archive_write_errors_total",
			Help: "Kafka errors after which the bridge backed off and resumed from the topic's tail."}, []string{"topic"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_archive_skipped_messages_total",
			Help: "Stream messages that could not be archived (malformed), set aside as dead letters."}, []string{"stream"}),
		lost: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "geneva_archive_lost_messages_total",
			Help: "Stream messages removed by retention before the bridge archived them."}, []string{"stream"}),
	}
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	m.lag.Describe(ch)
	m.records.Describe(ch)
	m.errors.Describe(ch)
	m.skipped.Describe(ch)
	m.lost.Describe(ch)
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.lag.Collect(ch)
	m.records.Collect(ch)
	m.errors.Collect(ch)
	m.skipped.Collect(ch)
	m.lost.Collect(ch)
}
