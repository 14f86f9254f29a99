package metrics

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewServer returns an HTTP server for addr (not yet listening) with:
//
//	/healthz  200 while the process runs
//	/readyz   200 when ready() returns nil, else 503 with the reason
//	/metrics  the Prometheus exposition of m
//
// A nil ready means always ready. The caller runs ListenAndServe (or Serve)
// and Shutdown.
//
// With BearerToken, /metrics (which shows per-member data) answers 401
// unless the request carries "Authorization: Bearer <token>".
func NewServer(addr string, m *Metrics, ready func() error, opts ...Option) *http.Server {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ready != nil {
			if err := ready(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not ready: %v\n", err)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", requireBearer(o.token, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, // one failing source must not hide the rest
		Registry:      m.reg,                    // promhttp_metric_handler_errors_total
	})))
	return &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
}

// Option changes NewServer.
type Option func(*options)

type options struct{ token string }

// BearerToken makes /metrics require this bearer token ("" for none).
func BearerToken(token string) Option { return func(o *options) { o.token = token } }

// requireBearer lets a request through to next only with the token.
func requireBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="geneva-hub metrics"`)
			http.Error(w, "unauthorized: /metrics needs the bearer token of metrics_token_file", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
