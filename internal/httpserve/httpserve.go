// Package httpserve gives Geneva's HTTP listeners (the hub's /healthz and
// /metrics, which the TAXII server and portal share, a worker node's and
// an archive bridge's, the connector's webhook intake and /healthz) the
// same server-side limits, so no client holds a connection or a goroutine
// for as long as it likes: timeouts for the header, the whole request, the
// response and an idle keep-alive, a bound on header bytes, and caps on
// concurrent connections overall and per client address, and of
// concurrent requests on one HTTP/2 connection.
package httpserve

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limits are the server-side bounds. Zero fields take Defaults' values.
type Limits struct {
	ReadHeaderTimeout time.Duration // the request line and headers
	ReadTimeout       time.Duration // the whole request, body included
	WriteTimeout      time.Duration // from the end of the headers to the end of the response
	IdleTimeout       time.Duration // a keep-alive connection waiting for its next request
	MaxHeaderBytes    int
	MaxConns          int // concurrent connections
	MaxConnsPerClient int // concurrent connections from one IP address
	MaxStreamsPerConn int // concurrent requests on one HTTP/2 connection (TLS)
}

// Defaults suit an intake taking bodies of a few MiB from a handful of
// partner systems.
var Defaults = Limits{
	ReadHeaderTimeout: 5 * time.Second,
	ReadTimeout:       30 * time.Second,
	WriteTimeout:      60 * time.Second,
	IdleTimeout:       30 * time.Second,
	MaxHeaderBytes:    64 << 10,
	MaxConns:          256,
	MaxConnsPerClient: 32,
	MaxStreamsPerConn: 16,
}

func (l Limits) withDefaults() Limits {
	d := Defaults
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	l.ReadHeaderTimeout = pick(l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	l.ReadTimeout = pick(l.ReadTimeout, d.ReadTimeout)
	l.WriteTimeout = pick(l.WriteTimeout, d.WriteTimeout)
	l.IdleTimeout = pick(l.IdleTimeout, d.IdleTimeout)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	if l.MaxConnsPerClient <= 0 {
		l.MaxConnsPerClient = d.MaxConnsPerClient
	}
	if l.MaxStreamsPerConn <= 0 {
		l.MaxStreamsPerConn = d.MaxStreamsPerConn
	}
	return l
}

// Server is an http.Server for handler with l's timeouts.
func Server(handler http.Handler, l Limits) *http.Server {
	l = l.withDefaults()
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		// Over TLS a client may speak HTTP/2: bound its requests per
		// connection too, so the per-client cap bounds its requests.
		HTTP2: &http.HTTP2Config{MaxConcurrentStreams: l.MaxStreamsPerConn},
	}
}

// Harden applies l's timeouts to srv where it has none.
func Harden(srv *http.Server, l Limits) {
	d := Server(nil, l)
	if srv.ReadHeaderTimeout == 0 {
		srv.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if srv.ReadTimeout == 0 {
		srv.ReadTimeout = d.ReadTimeout
	}
	if srv.WriteTimeout == 0 {
		srv.WriteTimeout = d.WriteTimeout
	}
	if srv.IdleTimeout == 0 {
		srv.IdleTimeout = d.IdleTimeout
	}
	if srv.MaxHeaderBytes == 0 {
		srv.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if srv.HTTP2 == nil {
		srv.HTTP2 = d.HTTP2
	}
}

// Listen listens on addr with l's connection caps.
func Listen(addr string, l Limits) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return Limit(ln, l), nil
}

// Limit caps ln's concurrent connections, overall and per client IP. A
// connection over a cap gets "503 Service Unavailable" and is closed at
// once, so it never costs a goroutine of the server.
func Limit(ln net.Listener, l Limits) net.Listener {
	l = l.withDefaults()
	return &limitListener{Listener: ln, max: l.MaxConns, perClient: l.MaxConnsPerClient, byIP: map[string]int{}}
}

type limitListener struct {
	net.Listener
	max, perClient int

	mu    sync.Mutex
	total int
	byIP  map[string]int
}

const busy = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nContent-Length: 29\r\n\r\ntoo many connections; retry\r\n"

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := clientIP(c.RemoteAddr())
		if l.take(ip) {
			return &countedConn{Conn: c, release: func() { l.release(ip) }}, nil
		}
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.Write([]byte(busy))
		_ = c.Close()
	}
}

func (l *limitListener) take(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max || l.byIP[ip] >= l.perClient {
		return false
	}
	l.total++
	l.byIP[ip]++
	return true
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
}

func clientIP(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// BearerToken is the token of an "Authorization: Bearer <token>" header
// (the scheme is case-insensitive, RFC 7235); ok is false for any other
// form, a raw token included.
func BearerToken(r *http.Request) (token string, ok bool) {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
