package webhook_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/internal/hostile"
)

// rawPost is an HTTP/1.1 POST to /report with the given extra headers
// (ending in \r\n) and body, Content-Length set unless chunked.
func rawPost(headers, body string) []byte {
	if !strings.Contains(headers, "Transfer-Encoding") {
		headers += fmt.Sprintf("Content-Length: %d\r\n", len(body))
	}
	return []byte("POST /report HTTP/1.1\r\nHost: intake\r\nContent-Type: application/json\r\n" + headers + "\r\n" + body)
}

func reportOfSize(n int) string {
	_, body := reportOf(n)
	return string(body)
}

// TestIntakeRefusesHostileRequestsCheaply is the webhook door's table:
// each hostile request gets its status and reason, within bounds of time
// and memory. Before: a raw token without "Bearer" was accepted, broken
// chunked framing got 413, a 401 left the connection open for more, the
// 202 for a STIX bundle said "id":"", and a report of 10,000 indicators
// took half a minute (the whole report hashed for every object).
func TestIntakeRefusesHostileRequestsCheaply(t *testing.T) {
	const limit = 16 << 20
	d := deps()
	d.MaxBytes = func() int64 { return limit }
	u, _ := intakeWith(t, `"path":"/report","wait":"5s","token":"s3cret","max_bytes":16777216`, d, func(connectors.Envelope) error { return nil })
	addr := mustHost(t, u)
	auth := "Authorization: Bearer s3cret\r\n"
	bundle := connectortest.Bundle("door")
	hostile.Run(t, []hostile.Case{
		{Name: "raw token without Bearer", Input: rawPost("Authorization: s3cret\r\n", report), Want: "401 close"},
		{Name: "basic scheme", Input: rawPost("Authorization: Basic s3cret\r\n", report), Want: "401 close"},
		{Name: "no token", Input: rawPost("", report), Want: "401 close"},
		{Name: "broken chunked framing", Input: rawPost(auth+"Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"), Want: "400 close"},
		{Name: "body over the limit", Input: rawPost(auth, `{"title":"`+strings.Repeat("x", limit)+`"}`), Want: "413 close", MaxAlloc: 256 << 20},
		{Name: "report whose bundle is over the limit", Input: rawPost(auth, reportOfSize(100_000)), Want: `413 keep {"reasons":[{"code":"size.bytes"`, MaxTime: 10 * time.Second, MaxAlloc: 512 << 20},
		{Name: "10k indicators", Input: rawPost(auth, reportOfSize(10_000)), Want: `202 keep {"id":"bundle--`, MaxTime: 10 * time.Second, MaxAlloc: 512 << 20},
		{Name: "STIX bundle id in the 202", Input: rawPost(auth, string(bundle)), Want: `202 keep {"id":"bundle--`},
		{Name: "not JSON", Input: rawPost(auth, "{"), Want: "400 keep"},
		{Name: "deep JSON", Input: rawPost(auth, strings.Repeat("[", 100_000)), Want: "400 keep"},
	}, func(in []byte) error {
		return exchange(addr, in)
	})
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// exchange sends one raw request and describes the answer as an error:
// "<status> <close|keep> <body>".
func exchange(addr string, req []byte) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	go func() { _, _ = c.Write(req) }() // the server may answer before reading it all
	resp, err := readResponse(c)
	if err != nil {
		return err
	}
	return resp
}

type answer struct {
	status int
	close  bool
	body   string
}

func (a *answer) Error() string {
	conn := "keep"
	if a.close {
		conn = "close"
	}
	return fmt.Sprintf("%d %s %s", a.status, conn, a.body)
}

func readResponse(c net.Conn) (*answer, error) {
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return &answer{status: resp.StatusCode, close: resp.Close, body: strings.TrimSpace(string(body))}, nil
}
