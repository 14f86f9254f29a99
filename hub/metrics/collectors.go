package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// StreamSize is what a stream holds right now.
type StreamSize struct {
	Stream   string
	Messages uint64
	Bytes    uint64
}

var (
	lagDesc = prometheus.NewDesc("geneva_consumer_lag_messages",
		"Messages routed to a member that it has not yet acknowledged.", []string{"member"}, nil)
	streamMsgsDesc = prometheus.NewDesc("geneva_stream_messages",
		"Messages stored in a JetStream stream.", []string{"stream"}, nil)
	streamBytesDesc = prometheus.NewDesc("geneva_stream_bytes",
		"Bytes stored in a JetStream stream.", []string{"stream"}, nil)
)

// lagCollector reads consumer lag when scraped, so the value is never stale.
type lagCollector struct {
	lag  func(ctx context.Context) (map[string]uint64, error)
	errs prometheus.Counter
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- lagDesc }

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()
	lag, err := c.lag(ctx)
	if err != nil {
		c.errs.Inc()
		ch <- prometheus.NewInvalidMetric(lagDesc, err)
		return
	}
	for member, n := range lag {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(n), member)
	}
}

// streamCollector reads stream sizes when scraped.
type streamCollector struct {
	streams func(ctx context.Context) ([]StreamSize, error)
	errs    prometheus.Counter
}

func (c *streamCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- streamMsgsDesc
	ch <- streamBytesDesc
}

func (c *streamCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()
	sizes, err := c.streams(ctx)
	if err != nil {
		c.errs.Inc()
		ch <- prometheus.NewInvalidMetric(streamMsgsDesc, err)
		return
	}
	for _, s := range sizes {
		ch <- prometheus.MustNewConstMetric(streamMsgsDesc, prometheus.GaugeValue, float64(s.Messages), s.Stream)
		ch <- prometheus.MustNewConstMetric(streamBytesDesc, prometheus.GaugeValue, float64(s.Bytes), s.Stream)
	}
}
