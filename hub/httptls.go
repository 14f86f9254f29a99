package hub

import (
	"crypto/tls"
	"net"

	"github.com/genevahub/geneva/internal/httpserve"
)

// checkHTTPTLS checks http_tls, and refuses plain HTTP on an http_listen
// other hosts can reach: TAXII tokens, Basic passwords, portal passwords
// and the metrics token cross that listener, and in clear they are given
// to anyone on the path. A TLS-terminating proxy in front is the one case
// for plain HTTP there, and it must be said (http_allow_plaintext).
func checkHTTPTLS(c Config, bad func(field, format string, args ...any)) {
	t := c.HTTPTLS
	t.Client().Check("http_tls", bad)
	if t.CAFile != "" && t.CertFile == "" {
		bad("http_tls.ca_file", "client certificates need TLS: set cert_file and key_file too")
	}
	if t.VerifyClients && t.CAFile == "" {
		bad("http_tls.ca_file", "required when verify_clients is true")
	}
	if t.CertFile != "" || c.HTTPAllowPlaintext || isLoopback(c.HTTPListen) {
		return
	}
	bad("http_listen", "%s is reachable from other hosts over plain HTTP, and TAXII tokens and portal passwords would cross it in clear: "+
		"set http_tls (cert_file, key_file), or listen on 127.0.0.1 behind a TLS proxy, or set http_allow_plaintext: true "+
		"if a TLS-terminating proxy on a private network is the only way in", c.HTTPListen)
}

// isLoopback is whether listen (host:port) takes connections from this
// host only.
func isLoopback(listen string) bool {
	host, _, _ := hostPort(listen)
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// httpTLS is the HTTP listener's tls.Config, nil for plain HTTP.
func (c Config) httpTLS() (*tls.Config, error) {
	if c.HTTPTLS.CertFile == "" {
		return nil, nil
	}
	return httpserve.TLS{CertFile: c.HTTPTLS.CertFile, KeyFile: c.HTTPTLS.KeyFile,
		CAFile: c.HTTPTLS.CAFile, RequireClientCert: c.HTTPTLS.VerifyClients}.Config()
}
