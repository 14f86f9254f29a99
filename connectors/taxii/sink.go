package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/genevahub/geneva/connectors"
)

var _ connectors.Sink = (*sink)(nil)

type sink struct {
	cfg    SinkConfig
	c      *client
	log    *slog.Logger
	closed atomic.Bool
}

func newSink(raw json.RawMessage, d connectors.Deps) (connectors.Sink, error) {
	var cfg SinkConfig
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &sink{cfg: cfg, c: newClient(cfg.Server), log: log}, nil
}

// Write adds the bundle's objects and follows the status resource until
// it is complete. Objects the server would not take (typically ones it
// already holds, as after a redelivery) are logged, not retried: a retry
// cannot change the server's mind.
func (s *sink) Write(ctx context.Context, e connectors.Envelope) error {
	if s.closed.Load() {
		return connectors.ErrClosed
	}
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(e.Body, &b); err != nil {
		return connectors.Rejected(fmt.Errorf("not a STIX bundle: %w", err))
	}
	if len(b.Objects) == 0 {
		return nil
	}
	body := envelope(b.Objects)
	var st status
	if _, err := s.c.do(ctx, "POST", s.c.objectsURL(), body, &st); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Duration(s.cfg.StatusTimeout))
	for st.Status == "pending" {
		if st.ID == "" {
			return errors.New("pending status without an id")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("status %s still pending after %v", st.ID, time.Duration(s.cfg.StatusTimeout))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		if _, err := s.c.do(ctx, "GET", s.cfg.URL+"status/"+url.PathEscape(st.ID)+"/", nil, &st); err != nil {
			return err
		}
	}
	if st.FailureCount > 0 {
		for _, f := range st.Failures {
			s.log.Warn("TAXII server did not add an object", "object", f.ID, "message", f.Message, "status", st.ID)
		}
	}
	return nil
}

func (s *sink) Close(context.Context) error {
	s.closed.Store(true)
	s.c.http.CloseIdleConnections()
	return nil
}
