package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/genevahub/geneva/connectors"
)

var _ connectors.Source = (*source)(nil)

// source polls one collection. One page is in flight at a time; its ack
// moves the saved added_after to the page's X-TAXII-Date-Added-Last (and
// the cursor to `next`), so a crash re-reads at most that page.
type source struct {
	cfg   SourceConfig
	c     *client
	log   *slog.Logger
	state string // file holding the position

	mu         sync.Mutex
	addedAfter string // saved position
	next       string // paging token of the poll under way
	page       *page  // read and not yet acked
	idle       bool   // caught up: wait Interval before polling again

	loaded sync.Once // the saved position is read on the first Read
	closed chan struct{}
	once   sync.Once
}

type page struct {
	env       connectors.Envelope
	addedLast string
	more      bool
	next      string
	nacked    bool
}

type position struct {
	AddedAfter string `json:"added_after"`
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
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &source{cfg: cfg, c: newClient(cfg.Server), log: log, addedAfter: cfg.AddedAfter, closed: make(chan struct{})}
	if d.StateDir != "" {
		s.state = filepath.Join(d.StateDir, "taxii-position.json")
	}
	return s, nil
}

func (s *source) loadPosition() {
	if s.state == "" {
		return
	}
	data, err := os.ReadFile(s.state)
	if err != nil {
		return
	}
	var p position
	if json.Unmarshal(data, &p) == nil && p.AddedAfter != "" {
		s.addedAfter = p.AddedAfter
	}
}

func (s *source) Read(ctx context.Context) (connectors.Envelope, connectors.AckFunc, error) {
	s.loaded.Do(func() {
		s.mu.Lock()
		s.loadPosition()
		s.mu.Unlock()
	})
	for {
		select {
		case <-s.closed:
			return connectors.Envelope{}, nil, connectors.ErrClosed
		case <-ctx.Done():
			return connectors.Envelope{}, nil, ctx.Err()
		default:
		}
		s.mu.Lock()
		if p := s.page; p != nil && p.nacked {
			p.nacked = false
			s.mu.Unlock()
			return p.env, s.ack(p), nil
		}
		idle := s.idle
		s.mu.Unlock()
		if idle && !s.wait(ctx, time.Duration(s.cfg.Interval)) {
			continue
		}
		p, err := s.fetch(ctx)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return connectors.Envelope{}, nil, err
		}
		s.mu.Lock()
		if p == nil {
			s.idle = true
			s.mu.Unlock()
			continue
		}
		s.idle = false
		s.page = p
		s.mu.Unlock()
		return p.env, s.ack(p), nil
	}
}

// wait sleeps d; false if ctx ended or the source closed.
func (s *source) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	case <-t.C:
		s.mu.Lock()
		s.idle = false
		s.mu.Unlock()
		return true
	}
}

// fetch reads the next page; nil when there is nothing new.
func (s *source) fetch(ctx context.Context) (*page, error) {
	s.mu.Lock()
	q := url.Values{"limit": {strconv.Itoa(s.cfg.Limit)}}
	if s.next != "" {
		q.Set("next", s.next) // the token carries the poll's filter
	} else if s.addedAfter != "" {
		q.Set("added_after", s.addedAfter)
	}
	s.mu.Unlock()
	var env struct {
		More    bool              `json:"more"`
		Next    string            `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	h, err := s.c.do(ctx, "GET", s.c.objectsURL()+"?"+q.Encode(), nil, &env)
	if err != nil {
		if s.next != "" {
			s.mu.Lock()
			s.next = "" // an expired paging token: start over from the saved position
			s.mu.Unlock()
		}
		return nil, err
	}
	if len(env.Objects) == 0 {
		s.mu.Lock()
		s.next = ""
		s.mu.Unlock()
		return nil, nil
	}
	last := h.Get("X-TAXII-Date-Added-Last")
	ids := []string{s.cfg.URL, s.cfg.Collection}
	for _, o := range env.Objects {
		var probe struct{ ID, Modified string }
		_ = json.Unmarshal(o, &probe)
		ids = append(ids, probe.ID, probe.Modified)
	}
	bundleID := "bundle--" + connectors.UUIDFrom(ids...)
	body, err := json.Marshal(map[string]any{"type": "bundle", "id": bundleID, "objects": env.Objects})
	if err != nil {
		return nil, err
	}
	return &page{env: connectors.Envelope{ID: bundleID, Ref: last, Body: body}, addedLast: last, more: env.More, next: env.Next}, nil
}

func (s *source) ack(p *page) connectors.AckFunc {
	return func(_ context.Context, err error) error {
		var refused *connectors.RefusedError
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.page != p {
			return nil
		}
		if err != nil && !errors.As(err, &refused) {
			p.nacked = true // offer the same page again
			return nil
		}
		// Spooled, or refused for good (logged and kept by the runtime): move on.
		s.page = nil
		if p.more && p.next != "" {
			s.next = p.next
		} else {
			s.next = ""
		}
		if p.addedLast == "" {
			return nil
		}
		s.addedAfter = p.addedLast
		if s.state == "" {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(s.state), 0o700); err != nil {
			return err
		}
		data, _ := json.Marshal(position{AddedAfter: p.addedLast})
		return connectors.WriteFileDurable(s.state, data)
	}
}

func (s *source) Close(context.Context) error {
	s.once.Do(func() { close(s.closed) })
	s.c.http.CloseIdleConnections()
	return nil
}
