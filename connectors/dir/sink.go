package dir

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"

	"github.com/genevahub/geneva/connectors"
)

var _ connectors.Sink = (*sink)(nil)

type sink struct {
	cfg    SinkConfig
	closed atomic.Bool
}

func newSink(raw json.RawMessage, _ connectors.Deps) (connectors.Sink, error) {
	var cfg SinkConfig
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &sink{cfg: cfg}, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// Write stores the envelope as <id>.json (or .ndjson), fsync'ed, so a
// rewrite of the same share replaces the file rather than adding one.
func (s *sink) Write(_ context.Context, e connectors.Envelope) error {
	if s.closed.Load() {
		return connectors.ErrClosed
	}
	if err := os.MkdirAll(s.cfg.Path, 0o755); err != nil {
		return err
	}
	name := unsafeChars.ReplaceAllString(e.ID, "_")
	if name == "" {
		return errors.New("envelope without id")
	}
	data := []byte(e.Body)
	ext := ".json"
	if s.cfg.Format == "ndjson" {
		lines, err := connectors.NDJSON(e.Body)
		if err != nil {
			return err
		}
		data, ext = lines, ".ndjson"
	}
	return connectors.WriteFileDurable(filepath.Join(s.cfg.Path, name+ext), data)
}

func (s *sink) Close(context.Context) error {
	s.closed.Store(true)
	return nil
}
