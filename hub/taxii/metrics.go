package taxii

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count the TAXII API's use per member and endpoint.
type Metrics struct {
	requests *prometheus.CounterVec
	objs     *prometheus.CounterVec
}

// NewMetrics registers the TAXII counters on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_taxii_requests_total",
			Help: "TAXII requests by member, endpoint and HTTP status (4xx and 5xx are refusals; member is empty when unauthenticated).",
		}, []string{"member", "endpoint", "code"}),
		objs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geneva_taxii_objects_total",
			Help: "STIX objects served (endpoint objects) or submitted (add_objects) through TAXII, by member.",
		}, []string{"member", "endpoint"}),
	}
	reg.MustRegister(m.requests, m.objs)
	return m
}

func (m *Metrics) request(member, endpoint string, code int) {
	if m != nil {
		m.requests.WithLabelValues(member, endpoint, strconv.Itoa(code)).Inc()
	}
}

func (m *Metrics) objects(member, endpoint string, n int) {
	if m != nil && n > 0 {
		m.objs.WithLabelValues(member, endpoint).Add(float64(n))
	}
}
