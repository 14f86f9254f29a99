// Package stdout is a sink that prints each delivered share as one JSON
// line (for pipes, debugging and containers' log collectors).
package stdout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/genevahub/geneva/connectors"
)

func init() {
	connectors.MustRegister(connectors.Spec{Name: "stdout",
		Summary: "Print delivered shares as JSON lines on standard output.", NewSink: newSink})
}

// Config chooses the line format.
type Config struct {
	Format string `json:"format"` // envelope (default: {id, sender, tlp, bundle} per share) or ndjson (one STIX object per line)
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	if c.Format != "envelope" && c.Format != "ndjson" {
		return fmt.Errorf("format: %q is not envelope or ndjson", c.Format)
	}
	return nil
}

var _ connectors.Sink = (*sink)(nil)

type sink struct {
	cfg    Config
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func newSink(raw json.RawMessage, d connectors.Deps) (connectors.Sink, error) {
	var cfg Config
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	if cfg.Format == "" {
		cfg.Format = "envelope"
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := d.Stdout
	if w == nil {
		w = os.Stdout
	}
	return &sink{cfg: cfg, w: w}, nil
}

// Line is what the envelope format prints.
type Line struct {
	ID     string          `json:"id"`
	Sender string          `json:"sender"`
	TLP    string          `json:"tlp"`
	Bundle json.RawMessage `json:"bundle"`
}

func (s *sink) Write(_ context.Context, e connectors.Envelope) error {
	var out []byte
	if s.cfg.Format == "ndjson" {
		lines, err := connectors.NDJSON(e.Body)
		if err != nil {
			return err
		}
		out = lines
	} else {
		line, err := json.Marshal(Line{ID: e.ID, Sender: e.Member, TLP: e.TLP, Bundle: e.Body})
		if err != nil {
			return err
		}
		out = append(line, '\n')
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return connectors.ErrClosed
	}
	_, err := s.w.Write(out)
	return err
}

func (s *sink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
