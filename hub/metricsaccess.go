package hub

import (
	"fmt"
	"os"
	"strings"
)

// checkMetricsAccess refuses an HTTP listener other hosts can reach
// without a metrics token: /metrics shows per-member data (lag, refused
// requests), which is no business of anyone but the hub's operator.
func checkMetricsAccess(c Config, bad func(field, format string, args ...any)) {
	if c.MetricsTokenFile != "" {
		if _, err := metricsToken(c.MetricsTokenFile); err != nil {
			bad("metrics_token_file", "%v", err)
		}
		return
	}
	if !isLoopback(c.HTTPListen) {
		bad("http_listen", "%s is reachable from other hosts and /metrics shows per-member data: "+
			"listen on 127.0.0.1 or set metrics_token_file (a file holding the bearer token your Prometheus sends)", c.HTTPListen)
	}
}

// metricsToken reads the bearer token of file: one line, at least 16
// characters.
func metricsToken(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 || strings.ContainsAny(tok, " \t\n") {
		return "", fmt.Errorf("%s: want one line of at least 16 characters without spaces", file)
	}
	return tok, nil
}
