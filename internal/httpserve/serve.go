package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves srv on listen until stop, which gives requests in
// flight 5 s to finish; it returns the address it listens on.
func Serve(listen string, srv *http.Server, log *slog.Logger) (addr string, stop func(), err error) {
	// Server-side limits for every hub HTTP listener (/healthz, /metrics,
	// and what shares it): timeouts and connection caps.
	Harden(srv, Defaults)
	ln, err := Listen(listen, Defaults)
	if err != nil {
		return "", nil, fmt.Errorf("http_listen: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve := srv.Serve
		if srv.TLSConfig != nil { // ServeTLS adds HTTP/2 to the protocols offered
			serve = func(ln net.Listener) error { return srv.ServeTLS(ln, "", "") }
		}
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
