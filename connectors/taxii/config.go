package taxii

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/genevahub/geneva/connectors"
)

// Server is how to reach one collection.
type Server struct {
	URL        string              `json:"url"`        // the API root, e.g. https://taxii.example/api1/
	Collection string              `json:"collection"` // the collection id
	Username   string              `json:"username"`   // HTTP basic auth...
	Password   string              `json:"password"`
	Token      string              `json:"token"`   // ...or a bearer token
	Timeout    connectors.Duration `json:"timeout"` // per request (default 10s)
}

func (s *Server) withDefaults() {
	if s.Timeout == 0 {
		s.Timeout = connectors.Duration(10 * time.Second)
	}
	if s.URL != "" && !strings.HasSuffix(s.URL, "/") {
		s.URL += "/"
	}
}

var collectionID = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

func (s Server) validate() []error {
	var errs []error
	if s.URL == "" {
		errs = append(errs, errors.New("url: required (the TAXII API root)"))
	} else if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url: %q is not an http(s) URL", s.URL))
	}
	if s.Collection == "" {
		errs = append(errs, errors.New("collection: required"))
	} else if !collectionID.MatchString(s.Collection) {
		errs = append(errs, fmt.Errorf("collection: %q is not a collection id", s.Collection))
	}
	if s.Token != "" && s.Username != "" {
		errs = append(errs, errors.New("token: use either token or username/password"))
	}
	if time.Duration(s.Timeout) <= 0 {
		errs = append(errs, errors.New("timeout: must be positive"))
	}
	return errs
}

// SourceConfig polls a collection.
type SourceConfig struct {
	Server
	Interval   connectors.Duration `json:"interval"`    // between polls once caught up (default 60s)
	Limit      int                 `json:"limit"`       // objects per page (default 100)
	AddedAfter string              `json:"added_after"` // where to start the first time (RFC 3339); later the saved position wins
}

func (c *SourceConfig) withDefaults() {
	c.Server.withDefaults()
	if c.Interval == 0 {
		c.Interval = connectors.Duration(time.Minute)
	}
	if c.Limit == 0 {
		c.Limit = 100
	}
}

// Validate reports every problem at once.
func (c SourceConfig) Validate() error {
	errs := c.Server.validate()
	if d := time.Duration(c.Interval); d < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("interval: %v is below 10ms", d))
	}
	if c.Limit < 1 || c.Limit > 10000 {
		errs = append(errs, fmt.Errorf("limit: %d is outside 1..10000", c.Limit))
	}
	if c.AddedAfter != "" {
		if _, err := time.Parse(time.RFC3339Nano, c.AddedAfter); err != nil {
			errs = append(errs, fmt.Errorf("added_after: %q is not an RFC 3339 time", c.AddedAfter))
		}
	}
	return errors.Join(errs...)
}

// SinkConfig adds objects to a collection.
type SinkConfig struct {
	Server
	StatusTimeout connectors.Duration `json:"status_timeout"` // how long to follow a pending status (default 60s)
}

func (c *SinkConfig) withDefaults() {
	c.Server.withDefaults()
	if c.StatusTimeout == 0 {
		c.StatusTimeout = connectors.Duration(time.Minute)
	}
}

// Validate reports every problem at once.
func (c SinkConfig) Validate() error {
	errs := c.Server.validate()
	if time.Duration(c.StatusTimeout) <= 0 {
		errs = append(errs, errors.New("status_timeout: must be positive"))
	}
	return errors.Join(errs...)
}
