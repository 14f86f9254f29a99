package hub

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/genevahub/geneva/hub/metrics"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/httpserve"
)

// startHTTP serves /healthz, /readyz and /metrics (hub/metrics), the web
// portal under /portal/ and TAXII under /taxii2/, over TLS when http_tls
// says so (httptls.go).
func (h *Hub) startHTTP() (stop func(), err error) {
	h.metrics.WatchConsumerLag(metrics.JetStreamLag(h.js, h.consumerRefs))
	h.metrics.WatchStreams(metrics.JetStreamSizes(h.js, wire.StreamShare, wire.StreamReceipt, wire.StreamAudit, wire.StreamReview))
	if h.cfg.HTTPListen == "off" {
		return func() {}, nil
	}
	var token string
	if h.cfg.MetricsTokenFile != "" {
		if token, err = metricsToken(h.cfg.MetricsTokenFile); err != nil {
			return nil, fmt.Errorf("metrics_token_file: %w", err)
		}
	}
	tlsConfig, err := h.cfg.httpTLS()
	if err != nil {
		return nil, fmt.Errorf("http_tls: %w", err)
	}
	srv := metrics.NewServer(h.cfg.HTTPListen, h.metrics, func() error {
		select {
		case <-h.ready:
			return nil
		default:
			return errors.New("starting")
		}
	}, metrics.BearerToken(token))
	srv.TLSConfig = tlsConfig
	if err := h.mountPortal(srv); err != nil { // hub/portal.go
		return nil, err
	}
	stopTAXII, err := h.mountTAXII(srv)
	if err != nil {
		return nil, err
	}
	addr, stopServer, err := httpserve.Serve(h.cfg.HTTPListen, srv, h.log)
	if err != nil {
		stopTAXII()
		return nil, err
	}
	h.httpAddr = addr
	return func() { stopServer(); stopTAXII() }, nil
}

// HTTPAddr is where /healthz, /readyz and /metrics are served.
func (h *Hub) HTTPAddr() string { return h.httpAddr }

// consumerRefs lists each member's delivering consumers, for the lag metric.
func (h *Hub) consumerRefs() []metrics.ConsumerRef {
	var refs []metrics.ConsumerRef
	for _, m := range h.MoU().Members {
		refs = append(refs,
			metrics.ConsumerRef{Member: m.ID, Stream: wire.StreamShare, Consumer: wire.InboxConsumer(m.ID)},
			metrics.ConsumerRef{Member: m.ID, Stream: wire.StreamReceipt, Consumer: wire.ReceiptConsumer(m.ID)})
	}
	return refs
}

var userKeyRE = regexp.MustCompile(`\bU[A-Z2-7]{55}\b`)

// violation counts a permission violation the server logged, by member
// (found by the NKey in the log line, never by the client-chosen name).
func (h *Hub) violation(line string) {
	member := ""
	if k := userKeyRE.FindString(line); k != "" {
		h.mu.RLock()
		member = h.keyMember[k]
		h.mu.RUnlock()
	}
	h.metrics.PermissionViolation(member)
	h.log.Warn("not permitted", "member", member, "detail", line)
}
