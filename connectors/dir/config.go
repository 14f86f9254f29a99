package dir

import (
	"errors"
	"fmt"
	"time"

	"github.com/genevahub/geneva/connectors"
)

// SourceConfig is a drop folder.
type SourceConfig struct {
	Path     string              `json:"path"`     // the drop folder; done/ and failed/ are made inside it
	Pattern  string              `json:"pattern"`  // file names to pick up (default "*.json")
	Interval connectors.Duration `json:"interval"` // how often to look (default 1s)
}

func (c *SourceConfig) withDefaults() {
	if c.Pattern == "" {
		c.Pattern = "*.json"
	}
	if c.Interval == 0 {
		c.Interval = connectors.Duration(time.Second)
	}
}

// Validate reports every problem at once.
func (c SourceConfig) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required"))
	}
	if d := time.Duration(c.Interval); d < 10*time.Millisecond || d > time.Hour {
		errs = append(errs, fmt.Errorf("interval: %v is outside 10ms..1h", d))
	}
	return errors.Join(errs...)
}

// SinkConfig is a folder delivered bundles are written into.
type SinkConfig struct {
	Path   string `json:"path"`
	Format string `json:"format"` // bundle (one .json file per share, default) or ndjson (one object per line)
}

func (c *SinkConfig) withDefaults() {
	if c.Format == "" {
		c.Format = "bundle"
	}
}

// Validate reports every problem at once.
func (c SinkConfig) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required"))
	}
	if c.Format != "bundle" && c.Format != "ndjson" {
		errs = append(errs, fmt.Errorf("format: %q is not bundle or ndjson", c.Format))
	}
	return errors.Join(errs...)
}
