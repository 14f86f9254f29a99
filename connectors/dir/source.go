package dir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

var (
	_ connectors.Source         = (*source)(nil)
	_ connectors.ReceiptHandler = (*source)(nil)
)

type source struct {
	cfg   SourceConfig
	limit func() int64 // the hub's budget (nil: none)

	mu       sync.Mutex
	inflight map[string]bool // file names read and not yet settled
	closed   chan struct{}
	once     sync.Once
}

func newSource(raw json.RawMessage, d connectors.Deps) (connectors.Source, error) {
	var cfg SourceConfig
	if err := connectors.DecodeOptions(raw, &cfg); err != nil {
		return nil, err
	}
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := filepath.Match(cfg.Pattern, "x"); err != nil {
		return nil, fmt.Errorf("pattern: %v", err)
	}
	return &source{cfg: cfg, limit: d.MaxBytes, inflight: map[string]bool{}, closed: make(chan struct{})}, nil
}

func (s *source) Read(ctx context.Context) (connectors.Envelope, connectors.AckFunc, error) {
	for {
		select {
		case <-s.closed:
			return connectors.Envelope{}, nil, connectors.ErrClosed
		default:
		}
		name, body, err := s.next()
		if err != nil {
			return connectors.Envelope{}, nil, err
		}
		if name != "" {
			return connectors.Envelope{Ref: name, Body: body}, s.ack(name), nil
		}
		t := time.NewTimer(time.Duration(s.cfg.Interval))
		select {
		case <-ctx.Done():
			t.Stop()
			return connectors.Envelope{}, nil, ctx.Err()
		case <-s.closed:
			t.Stop()
			return connectors.Envelope{}, nil, connectors.ErrClosed
		case <-t.C:
		}
	}
}

// next returns the oldest file not in flight, or "".
func (s *source) next() (string, []byte, error) {
	entries, err := os.ReadDir(s.cfg.Path)
	if err != nil {
		return "", nil, fmt.Errorf("drop folder: %w", err)
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if ok, _ := filepath.Match(s.cfg.Pattern, e.Name()); !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, file{e.Name(), info.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mod.Equal(files[j].mod) {
			return files[i].mod.Before(files[j].mod)
		}
		return files[i].name < files[j].name
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		if s.inflight[f.name] {
			continue
		}
		body, err := s.read(f.name)
		var refused *connectors.RefusedError
		if errors.As(err, &refused) {
			if err := s.refuse(f.name, refused); err != nil {
				return "", nil, err
			}
			continue
		}
		if err != nil {
			continue
		}
		s.inflight[f.name] = true
		return f.name, body, nil
	}
	return "", nil, nil
}

// read reads a dropped file, never more than the hub can take: a larger
// file is refused unread (a FIFO or device is skipped as not regular).
func (s *source) read(name string) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.cfg.Path, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if s.limit == nil {
		return io.ReadAll(f)
	}
	limit := s.limit()
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, connectors.TooLarge(fi.Size(), limit)
	}
	body, err := io.ReadAll(io.LimitReader(f, limit+1)) // bounded: it may grow meanwhile
	if err == nil && int64(len(body)) > limit {
		size := int64(len(body))
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		return nil, connectors.TooLarge(size, limit)
	}
	return body, err
}

// refuse moves a file that may never be sent to failed/ with its reasons.
func (s *source) refuse(name string, refused *connectors.RefusedError) error {
	reasons, _ := json.MarshalIndent(refused.Reasons, "", "  ")
	if err := s.move(name, "failed"); err != nil {
		return err
	}
	return connectors.WriteFileDurable(filepath.Join(s.cfg.Path, "failed", name+".reasons.json"), reasons)
}

func (s *source) ack(name string) connectors.AckFunc {
	return func(_ context.Context, err error) error {
		defer func() {
			s.mu.Lock()
			delete(s.inflight, name)
			s.mu.Unlock()
		}()
		var refused *connectors.RefusedError
		switch {
		case err == nil:
			return s.move(name, "done")
		case errors.As(err, &refused):
			return s.refuse(name, refused)
		default:
			return nil // nack: stays in the folder and is read again
		}
	}
}

func (s *source) move(name, to string) error {
	dir := filepath.Join(s.cfg.Path, to)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.Rename(filepath.Join(s.cfg.Path, name), filepath.Join(dir, name))
}

// Receipt writes the hub's receipt beside the file in done/; a rejected
// file moves to failed/ with it.
func (s *source) Receipt(_ context.Context, name string, r wire.Receipt) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	where := "done"
	if r.Verdict == policy.Reject {
		where = "failed"
		if err := os.MkdirAll(filepath.Join(s.cfg.Path, where), 0o755); err != nil {
			return err
		}
		err := os.Rename(filepath.Join(s.cfg.Path, "done", name), filepath.Join(s.cfg.Path, where, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return connectors.WriteFileDurable(filepath.Join(s.cfg.Path, where, name+".receipt.json"), data)
}

func (s *source) Close(context.Context) error {
	s.once.Do(func() { close(s.closed) })
	return nil
}
