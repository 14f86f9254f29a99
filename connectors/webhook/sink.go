package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/wire"
)

var _ connectors.Sink = (*sink)(nil)

type sink struct {
	cfg    SinkConfig
	client *http.Client
	closed atomic.Bool
}

func newSink(raw json.RawMessage, _ connectors.Deps) (connectors.Sink, error) {
	var cfg SinkConfig
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &sink{cfg: cfg, client: &http.Client{Timeout: time.Duration(cfg.Timeout)}}, nil
}

// Write POSTs one share; any 2xx is acceptance. Everything else is an
// error the runtime retries with backoff.
func (s *sink) Write(ctx context.Context, e connectors.Envelope) error {
	if s.closed.Load() {
		return connectors.ErrClosed
	}
	body, ctype := []byte(e.Body), "application/stix+json;version=2.1"
	if s.cfg.Format == "ndjson" {
		lines, err := connectors.NDJSON(e.Body)
		if err != nil {
			return err
		}
		body, ctype = lines, "application/x-ndjson"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set(wire.HeaderSender, e.Member)
	req.Header.Set(wire.HeaderTLP, e.TLP)
	req.Header.Set("Idempotency-Key", e.ID)
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	}
	for k, v := range s.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("POST %s: %s: %s", s.cfg.URL, resp.Status, bytes.TrimSpace(msg))
		if connectors.RefusesEnvelope(resp.StatusCode) {
			return connectors.Rejected(err)
		}
		return err
	}
	return nil
}

func (s *sink) Close(context.Context) error {
	s.closed.Store(true)
	s.client.CloseIdleConnections()
	return nil
}
