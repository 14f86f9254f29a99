// Package pprofserve serves Go's runtime profiles (net/http/pprof) on a
// loopback address named by $GENEVA_PPROF_LISTEN, for finding where a
// long-running process's memory or CPU goes (bench/soak -profiles). It is
// off unless the variable is set, and refuses any address that is not
// loopback: profiles show internals (goroutine stacks hold subjects and
// member names), so they never share a listener with /metrics or TAXII.
package pprofserve

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
)

// Env names the listen address, e.g. 127.0.0.1:6060 (127.0.0.1:0 picks a
// free port, printed at start).
const Env = "GENEVA_PPROF_LISTEN"

// Start serves the profiles on listen (nothing if it is empty) and returns
// the address it serves on.
func Start(listen string) (addr string, err error) {
	if listen == "" {
		return "", nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("$%s %q: %w", Env, listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("$%s %q: profiles are served on a loopback address only (127.0.0.1, ::1 or localhost)", Env, listen)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", fmt.Errorf("$%s: %w", Env, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = http.Serve(ln, mux) }() // for the life of the process
	return ln.Addr().String(), nil
}
