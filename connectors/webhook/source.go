package webhook

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/internal/httpserve"
)

var _ connectors.Source = (*source)(nil)

// source serves the intake endpoint. A request is answered only once the
// runtime settled its envelope: 202 when spooled (durable), 422 with the
// reasons when pre-flight refused it, 503 when it could not be spooled in
// time (the client retries; a repeat is a duplicate, not a second report).
type source struct {
	cfg      SourceConfig
	limit    func() int64  // the hub's budget (nil: none)
	identity func() string // the member's STIX identity under the MoU in force
	log      *slog.Logger

	startOnce sync.Once
	startErr  error
	srv       *http.Server
	serving   sync.WaitGroup

	items  chan *request // offered to Read
	closed chan struct{}
	once   sync.Once
}

type request struct {
	env    connectors.Envelope
	result chan error
}

func newSource(raw json.RawMessage, d connectors.Deps) (connectors.Source, error) {
	var cfg SourceConfig
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	if d.MaxBytes != nil && cfg.MaxBytes > d.MaxBytes() {
		return nil, fmt.Errorf("max_bytes: %d is above what the hub can take (%d, the MoU's max_bytes): leave it unset to follow it", cfg.MaxBytes, d.MaxBytes())
	}
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &source{cfg: cfg, limit: d.MaxBytes, log: d.Logger, items: make(chan *request), closed: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.identity = func() string {
		if me, ok := d.MoUNow().Member(d.Member); ok {
			return me.Identity
		}
		return ""
	}
	return s, nil
}

// start listens on the first Read (constructors do no I/O).
func (s *source) start() error {
	s.startOnce.Do(func() {
		// Server-side limits: a slow or idle client cannot hold a
		// connection; a request may wait up to cfg.Wait to be spooled.
		limits := httpserve.Limits{WriteTimeout: time.Duration(s.cfg.Wait) + 30*time.Second}
		ln, err := httpserve.Listen(s.cfg.Listen, limits)
		if err != nil {
			s.startErr = err
			return
		}
		mux := http.NewServeMux()
		mux.HandleFunc(route(s.cfg.Path), s.handle)
		s.srv = httpserve.Server(mux, limits)
		s.serving.Go(func() {
			if s.cfg.TLSCert != "" {
				_ = s.srv.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
			} else {
				_ = s.srv.Serve(ln)
			}
		})
		s.log.Info("webhook intake listening", "addr", ln.Addr().String(), "path", s.cfg.Path)
	})
	return s.startErr
}

func (s *source) Read(ctx context.Context) (connectors.Envelope, connectors.AckFunc, error) {
	select {
	case <-s.closed:
		return connectors.Envelope{}, nil, connectors.ErrClosed
	default:
	}
	if err := s.start(); err != nil {
		return connectors.Envelope{}, nil, err
	}
	select {
	case <-ctx.Done():
		return connectors.Envelope{}, nil, ctx.Err()
	case <-s.closed:
		return connectors.Envelope{}, nil, connectors.ErrClosed
	case r := <-s.items:
		var once sync.Once
		result := r.result // the handler makes a new one for each offer
		return r.env, func(_ context.Context, err error) error {
			once.Do(func() { result <- err })
			return nil
		}, nil
	}
}

func (s *source) handle(w http.ResponseWriter, req *http.Request) {
	if s.cfg.Token != "" {
		got, ok := httpserve.BearerToken(req)
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			refuse(w, http.StatusUnauthorized, map[string]any{"error": "missing or wrong token: send Authorization: Bearer <token>"})
			return
		}
	}
	limit := s.cfg.MaxBytes
	if s.limit != nil {
		limit = min(limit, s.limit())
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			refuse(w, http.StatusRequestEntityTooLarge, map[string]any{"error": fmt.Sprintf("the request is over %d bytes, the most this intake and the hub take", limit)})
		} else {
			refuse(w, http.StatusBadRequest, map[string]any{"error": "reading the request body: " + err.Error()})
		}
		return
	}
	env, problems, err := s.envelope(req.Context(), body, limit)
	var refused *connectors.RefusedError
	switch {
	case errors.As(err, &refused):
		reply(w, http.StatusRequestEntityTooLarge, map[string]any{"status": "refused", "reasons": refused.Reasons})
		return
	case err != nil:
		return // the client went away
	}
	if problems != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "not a STIX bundle or incident report", "problems": problems})
		return
	}
	r := &request{env: env}
	timeout := time.NewTimer(time.Duration(s.cfg.Wait))
	defer timeout.Stop()
	busy := func(why string) {
		w.Header().Set("Retry-After", "5")
		reply(w, http.StatusServiceUnavailable, map[string]any{"error": why + "; retry"})
	}
	for {
		// Offer the envelope to Read, then wait for its ack. A nack offers
		// it again until the wait runs out.
		result := make(chan error, 1) // buffered: a late ack never blocks
		r.result = result
		select {
		case s.items <- r:
		case <-timeout.C:
			busy("the connector is busy (spool full or hub away for long)")
			return
		case <-s.closed:
			busy("the connector is shutting down")
			return
		case <-req.Context().Done():
			return
		}
		select {
		case err := <-result:
			switch {
			case err == nil:
				reply(w, http.StatusAccepted, map[string]any{"status": "accepted", "id": env.Ref})
				return
			case errors.As(err, &refused) && connectors.IsTooLarge(refused):
				reply(w, http.StatusRequestEntityTooLarge, map[string]any{"status": "refused", "reasons": refused.Reasons})
				return
			case errors.As(err, &refused):
				reply(w, http.StatusUnprocessableEntity, map[string]any{"status": "refused", "reasons": refused.Reasons})
				return
			}
		case <-timeout.C:
			busy("the connector is busy (spool full or hub away for long)")
			return
		case <-req.Context().Done():
			return
		}
	}
}

// envelope reads a STIX bundle (or object) as is, and anything else as an
// incident report. problems lists what is wrong, with JSON pointers; err
// is a *connectors.RefusedError when the report's bundle would pass limit,
// or ctx's error when the client went away.
func (s *source) envelope(ctx context.Context, body []byte, limit int64) (connectors.Envelope, []string, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return connectors.Envelope{}, []string{"/: " + err.Error()}, nil
	}
	if _, isSTIX := probe["type"]; isSTIX {
		// Ref, not ID: the spool keys a STIX body by its content, so a
		// reused bundle id with new content is not taken for a duplicate.
		var id string
		_ = json.Unmarshal(probe["id"], &id)
		return connectors.Envelope{Ref: id, Body: body}, nil, nil
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return connectors.Envelope{}, []string{"/: " + strings.TrimPrefix(err.Error(), "json: ")}, nil
	}
	if err := rep.Validate(); err != nil {
		return connectors.Envelope{}, strings.Split(err.Error(), "\n"), nil
	}
	id, bundle, err := rep.BundleWithin(ctx, s.identity(), time.Now(), limit)
	if err != nil {
		return connectors.Envelope{}, nil, err
	}
	return connectors.Envelope{ID: id, Ref: id, Body: bundle}, nil, nil
}

// refuse replies and closes the connection: a client that sent too much,
// broken framing or no token keeps no idle connection.
func refuse(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Connection", "close")
	reply(w, code, v)
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Close stops taking requests (waiting ones get 503) within ctx.
func (s *source) Close(ctx context.Context) error {
	s.once.Do(func() { close(s.closed) })
	s.startOnce.Do(func() { s.startErr = connectors.ErrClosed }) // waits for a start under way
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	s.serving.Wait()
	return err
}
