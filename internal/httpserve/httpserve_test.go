package httpserve_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/httpserve"
)

var short = httpserve.Limits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 500 * time.Millisecond,
	WriteTimeout: time.Second, IdleTimeout: 300 * time.Millisecond, MaxConns: 8, MaxConnsPerClient: 3}

func serve(t *testing.T, short httpserve.Limits) string {
	t.Helper()
	ln, err := httpserve.Listen("127.0.0.1:0", short)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserve.Server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok")
	}), short)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// send dials addr and writes raw; the connection closes with the test.
func send(t *testing.T, addr, raw string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, _ = io.WriteString(c, raw)
	return c
}

// closedWithin fails unless the server closes c within d.
func closedWithin(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	start := time.Now()
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", time.Since(start))
	}
}

// TestSlowAndIdleClientsAreCut: a body that trickles in, a header that
// never ends and an idle keep-alive are closed by the server within its
// limits. Before, the webhook intake had a header timeout only.
func TestSlowAndIdleClientsAreCut(t *testing.T) {
	addr := serve(t, short)
	closedWithin(t, send(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"), 5*time.Second) // slow body
	closedWithin(t, send(t, addr, "POST / HTTP/1.1\r\nHost: x\r\n"), 5*time.Second)                                // slow header
	idle := send(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	closedWithin(t, idle, 5*time.Second)
}

// TestConnectionsPerClientAreCapped: a client holding its share of
// connections gets 503 for one more, and a connection again once it lets
// one go.
func TestConnectionsPerClientAreCapped(t *testing.T) {
	patient := short
	patient.ReadHeaderTimeout = time.Minute // the held connections stay for the whole test
	addr := serve(t, patient)
	var held []net.Conn
	for range short.MaxConnsPerClient {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// The listener counts a connection once it accepted it: wait until the
	// extra one is refused (bounded), which proves the cap.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err == nil && resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("one connection over the per-client cap was served: %v %v", resp, err)
		}
	}
	held[0].Close()
	ok := false
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && !ok; {
		resp, err := http.Get("http://" + addr + "/")
		ok = err == nil && resp.StatusCode == http.StatusOK
		if resp != nil {
			resp.Body.Close()
		}
	}
	if !ok {
		t.Fatal("no connection served after one was let go")
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer s3cret": "s3cret", "bearer s3cret": "s3cret", "BEARER s3cret": "s3cret",
		"s3cret": "", "Basic s3cret": "", "Bearer": "", "Bearer ": "", "Bearers3cret": "", "Bearer a b": "", "": "",
	} {
		r := &http.Request{Header: http.Header{}}
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		got, ok := httpserve.BearerToken(r)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v, want %q", header, got, ok, want)
		}
	}
}
