package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// startHTTP serves /healthz and /readyz (and, once wired, /metrics).
func (h *Hub) startHTTP() (stop func(), err error) {
	if h.cfg.HTTPListen == "off" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", h.cfg.HTTPListen)
	if err != nil {
		return nil, fmt.Errorf("http_listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-h.ready:
			_, _ = w.Write([]byte("ready\n"))
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			h.log.Error("http server", "err", err)
		}
	}()
	h.httpAddr = ln.Addr().String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
