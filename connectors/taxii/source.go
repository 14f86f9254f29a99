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

// source polls one collection. A poll is one query (added_after, limit)
// read page by page: every page after the first repeats the poll's
// original added_after with `next` (TAXII 2.1 §3.4), since objects added
// in one request share one date_added and a later added_after would skip
// the rest of them. One page is in flight at a time; its ack saves how
// many objects of the poll are taken, and the poll's end moves added_after
// to its X-TAXII-Date-Added-Last. A restarted source repeats the poll and
// passes over what was taken: a `next` token is the server's session
// state (medallion's lapses after 30 s and moves on as it serves), not a
// cursor to keep. So a crash re-reads at most the page in flight.
type source struct {
	cfg   SourceConfig
	c     *client
	log   *slog.Logger
	state string // file holding the position

	mu         sync.Mutex
	addedAfter string // the poll's original added_after (saved)
	taken      int    // objects of the poll already acked (saved)
	pass       int    // objects still to pass over: re-read after a restart or a lapsed token
	next       string // paging token of the poll under way
	page       *page  // read and not yet acked
	idle       bool   // caught up: wait Interval before polling again

	loaded sync.Once // the saved position is read on the first Read
	closed chan struct{}
	once   sync.Once
}

type page struct {
	env       connectors.Envelope
	objects   int
	addedLast string
	more      bool
	next      string
	nacked    bool
}

// position is where a poll stands: its added_after and how many of its
// objects are taken.
type position struct {
	AddedAfter string `json:"added_after"`
	Taken      int    `json:"taken,omitempty"`
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
	if json.Unmarshal(data, &p) == nil {
		if p.AddedAfter != "" {
			s.addedAfter = p.AddedAfter
		}
		s.taken, s.pass = max(p.Taken, 0), max(p.Taken, 0)
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
	for {
		s.mu.Lock()
		q := url.Values{"limit": {strconv.Itoa(s.cfg.Limit)}}
		if s.addedAfter != "" {
			q.Set("added_after", s.addedAfter) // on every page: the same query
		}
		next := s.next
		if next != "" {
			q.Set("next", next)
		}
		s.mu.Unlock()
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		h, err := s.c.do(ctx, "GET", s.c.objectsURL()+"?"+q.Encode(), nil, &env)
		s.mu.Lock()
		if err != nil {
			if next != "" {
				// A lapsed paging token: repeat the poll, passing over what is taken.
				s.next, s.pass = "", s.taken
			}
			s.mu.Unlock()
			return nil, err
		}
		if len(env.Objects) == 0 {
			s.next, s.pass = "", 0
			s.mu.Unlock()
			return nil, nil
		}
		skip := min(s.pass, len(env.Objects))
		s.pass -= skip
		objects := env.Objects[skip:]
		more := env.More && env.Next != ""
		if len(objects) == 0 && more {
			s.next = env.Next // all taken before: on to the next page
			s.mu.Unlock()
			continue
		}
		s.mu.Unlock()
		last := h.Get("X-TAXII-Date-Added-Last")
		if len(objects) == 0 {
			// The poll's last objects were taken before a restart: end it.
			return nil, s.endPoll(last)
		}
		p, err := s.pageOf(objects, last)
		if err != nil {
			return nil, err
		}
		p.more, p.next = more, env.Next
		return p, nil
	}
}

// pageOf wraps objects in a bundle whose id follows from them.
func (s *source) pageOf(objects []json.RawMessage, last string) (*page, error) {
	ids := []string{s.cfg.URL, s.cfg.Collection}
	for _, o := range objects {
		var probe struct{ ID, Modified string }
		_ = json.Unmarshal(o, &probe)
		ids = append(ids, probe.ID, probe.Modified)
	}
	bundleID := "bundle--" + connectors.UUIDFrom(ids...)
	body, err := json.Marshal(map[string]any{"type": "bundle", "id": bundleID, "objects": objects})
	if err != nil {
		return nil, err
	}
	return &page{env: connectors.Envelope{ID: bundleID, Ref: last, Body: body}, objects: len(objects), addedLast: last}, nil
}

func (s *source) ack(p *page) connectors.AckFunc {
	return func(_ context.Context, err error) error {
		var refused *connectors.RefusedError
		s.mu.Lock()
		if s.page != p {
			s.mu.Unlock()
			return nil
		}
		if err != nil && !errors.As(err, &refused) {
			p.nacked = true // offer the same page again
			s.mu.Unlock()
			return nil
		}
		// Spooled, or refused for good (logged and kept by the runtime): move on.
		s.page = nil
		if p.more {
			s.next = p.next
			s.taken += p.objects
			pos := position{AddedAfter: s.addedAfter, Taken: s.taken}
			s.mu.Unlock()
			return s.save(pos)
		}
		s.mu.Unlock()
		return s.endPoll(p.addedLast)
	}
}

// endPoll starts the next poll after last (the poll's newest date_added).
func (s *source) endPoll(last string) error {
	s.mu.Lock()
	s.next, s.taken, s.pass = "", 0, 0
	if last != "" {
		s.addedAfter = last
	}
	pos := position{AddedAfter: s.addedAfter}
	s.mu.Unlock()
	return s.save(pos)
}

func (s *source) save(pos position) error {
	if s.state == "" || pos.AddedAfter == "" && pos.Taken == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.state), 0o700); err != nil {
		return err
	}
	data, _ := json.Marshal(pos)
	return connectors.WriteFileDurable(s.state, data)
}

func (s *source) Close(context.Context) error {
	s.once.Do(func() { close(s.closed) })
	s.c.http.CloseIdleConnections()
	return nil
}
