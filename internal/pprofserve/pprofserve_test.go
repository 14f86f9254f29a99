package pprofserve

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServesHeapOnLoopback(t *testing.T) {
	addr, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("heap profile: %d %.100q", resp.StatusCode, body)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6060", "example.com:6060", "nonsense"} {
		if _, err := Start(listen); err == nil || !strings.Contains(err.Error(), Env) {
			t.Errorf("Start(%q) = %v, want an error naming $%s", listen, err, Env)
		}
	}
}

func TestOffByDefault(t *testing.T) {
	if addr, err := Start(""); addr != "" || err != nil {
		t.Fatalf("Start(\"\") = %q, %v", addr, err)
	}
}
