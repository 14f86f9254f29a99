package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/genevahub/geneva/connectors"
)

// SourceConfig is the intake endpoint.
type SourceConfig struct {
	Listen   string              `json:"listen"`    // host:port, e.g. 127.0.0.1:8088
	Path     string              `json:"path"`      // default "/"
	Token    string              `json:"token"`     // if set, requests need "Authorization: Bearer <token>"
	TLSCert  string              `json:"tls_cert"`  // serve HTTPS with this certificate...
	TLSKey   string              `json:"tls_key"`   // ...and key
	MaxBytes int64               `json:"max_bytes"` // largest request body (default and at most: what the hub takes)
	Wait     connectors.Duration `json:"wait"`      // how long a request waits to be spooled before 503 (default 30s)
}

func (c *SourceConfig) withDefaults() {
	if c.Path == "" {
		c.Path = "/"
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = 10 << 20
	}
	if c.Wait == 0 {
		c.Wait = connectors.Duration(30 * time.Second)
	}
}

// Validate reports every problem at once.
func (c SourceConfig) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("listen: required (host:port)"))
	} else if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q is not host:port", c.Listen))
	}
	if !strings.HasPrefix(c.Path, "/") {
		errs = append(errs, fmt.Errorf("path: %q must start with /", c.Path))
	} else if err := routeCheck(c.Path); err != nil {
		errs = append(errs, fmt.Errorf("path: %q: %v", c.Path, err))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls_cert: tls_cert and tls_key go together"))
	}
	if c.MaxBytes < 0 {
		errs = append(errs, errors.New("max_bytes: must be positive"))
	}
	if time.Duration(c.Wait) < 0 {
		errs = append(errs, errors.New("wait: must be positive"))
	}
	return errors.Join(errs...)
}

// SinkConfig is where delivered shares are POSTed.
type SinkConfig struct {
	URL     string              `json:"url"`
	Format  string              `json:"format"`  // bundle (application/stix+json, default) or ndjson (application/x-ndjson, one object per line)
	Token   string              `json:"token"`   // sent as "Authorization: Bearer <token>"
	Headers map[string]string   `json:"headers"` // more request headers
	Timeout connectors.Duration `json:"timeout"` // per request (default 10s); failures are retried with backoff
}

func (c *SinkConfig) withDefaults() {
	if c.Format == "" {
		c.Format = "bundle"
	}
	if c.Timeout == 0 {
		c.Timeout = connectors.Duration(10 * time.Second)
	}
}

// Validate reports every problem at once.
func (c SinkConfig) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("url: required"))
	} else if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url: %q is not an http(s) URL", c.URL))
	}
	if c.Format != "bundle" && c.Format != "ndjson" {
		errs = append(errs, fmt.Errorf("format: %q is not bundle or ndjson", c.Format))
	}
	if time.Duration(c.Timeout) <= 0 {
		errs = append(errs, errors.New("timeout: must be positive"))
	}
	return errors.Join(errs...)
}

// routeCheck registers the path on a scratch mux, exactly as start will,
// so check refuses what would make run panic (e.g. "/report/{id").
func routeCheck(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if _, after, ok := strings.Cut(msg, ": "); ok {
				msg = after
			}
			err = errors.New(msg)
		}
	}()
	http.NewServeMux().HandleFunc(route(path), func(http.ResponseWriter, *http.Request) {})
	return nil
}

// route is the intake's ServeMux pattern.
func route(path string) string { return "POST " + path }
