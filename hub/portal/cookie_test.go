package portal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Over TLS the session cookie is Secure with the __Host- prefix (the
// browser then refuses it from plain HTTP, another path or a subdomain),
// and HSTS is sent.
func TestCookieOverTLS(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(s)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + Prefix + "login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-geneva-session=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(c, want) {
			t.Errorf("Set-Cookie %q lacks %s", c, want)
		}
	}
	if strings.Contains(strings.ToLower(c), "domain=") {
		t.Errorf("Set-Cookie %q names a domain", c)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}
