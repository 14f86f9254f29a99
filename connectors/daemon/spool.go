package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/internal/durable"
)

// Spool is the durable store-and-forward queue between sources and the
// hub. An item is in exactly one place, moved by atomic renames:
//
//	queue/<seq>-<id>.json  accepted from a source, not yet PubAck'ed
//	sent/<id>.json         PubAck'ed, waiting for its receipt
//	failed/<id>.json       refused at pre-flight or rejected by the hub (+ .reasons.json / .receipt.json)
//
// Every write is fsync'ed (file and directory) before it counts, so an
// acknowledged item survives a crash. Safe for concurrent use.
type Spool struct {
	dir      string
	maxItems int
	maxBytes int64

	mu      sync.Mutex
	seq     uint64
	queue   []spoolEntry    // in order
	ids     map[string]bool // queued or sent
	bytes   int64
	changed chan struct{} // closed and replaced on every change
}

type spoolEntry struct {
	id, file string
	size     int64
}

// SpoolItem is one submission waiting for the hub.
type SpoolItem struct {
	ID     string          `json:"id"`
	Source string          `json:"source"`
	Ref    string          `json:"ref,omitempty"`
	Queued time.Time       `json:"queued"`
	Body   json.RawMessage `json:"body,omitempty"`
	Raw    []byte          `json:"raw,omitempty"` // a refused body that is not JSON (base64)
}

// OpenSpool opens (or creates) a spool in dir.
func OpenSpool(dir string, maxItems int, maxBytes int64) (*Spool, error) {
	s := &Spool{dir: dir, maxItems: maxItems, maxBytes: maxBytes, ids: map[string]bool{}, changed: make(chan struct{})}
	for _, sub := range []string{"queue", "sent", "failed", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	sent, err := os.ReadDir(filepath.Join(dir, "sent"))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, e := range sent {
		s.ids[strings.TrimSuffix(e.Name(), ".json")] = true
	}
	queued, err := os.ReadDir(filepath.Join(dir, "queue"))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, e := range queued {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			_ = os.Remove(filepath.Join(dir, "queue", name)) // a write the crash interrupted, never acked
			continue
		}
		seqText, id, ok := strings.Cut(strings.TrimSuffix(name, ".json"), "-")
		seq, err := strconv.ParseUint(seqText, 10, 64)
		if !ok || err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
		s.seq = max(s.seq, seq)
		s.queue = append(s.queue, spoolEntry{id: id, file: name, size: info.Size()})
		s.ids[id] = true
		s.bytes += info.Size()
	}
	sort.Slice(s.queue, func(i, j int) bool { return s.queue[i].file < s.queue[j].file })
	return s, nil
}

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// Queued reports whether id is still waiting to be sent.
func (s *Spool) Queued(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.queue {
		if e.id == id {
			return true
		}
	}
	return false
}

// Has reports whether id is queued or waiting for its receipt.
func (s *Spool) Has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// Put stores it durably. An id already queued or sent is a duplicate and
// is not stored again (nil). ErrSpoolFull when the bounds are reached.
func (s *Spool) Put(it SpoolItem) (dup bool, err error) {
	data, err := json.Marshal(it)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[it.ID] {
		return true, nil
	}
	if len(s.queue) >= s.maxItems || (len(s.queue) > 0 && s.bytes+int64(len(data)) > s.maxBytes) {
		return false, fmt.Errorf("%w: %d items, %d bytes queued", connectors.ErrSpoolFull, len(s.queue), s.bytes)
	}
	s.seq++
	name := fmt.Sprintf("%020d-%s.json", s.seq, it.ID)
	if err := writeDurable(filepath.Join(s.dir, "queue"), name, data); err != nil {
		return false, fmt.Errorf("spool: %w", err)
	}
	s.queue = append(s.queue, spoolEntry{id: it.ID, file: name, size: int64(len(data))})
	s.ids[it.ID] = true
	s.bytes += int64(len(data))
	s.notifyLocked()
	return false, nil
}

// Next returns the oldest queued item, or ok=false; changed is closed at
// the next change.
func (s *Spool) Next() (it SpoolItem, ok bool, changed <-chan struct{}, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return it, false, s.changed, nil
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "queue", s.queue[0].file))
	if err != nil {
		return it, false, s.changed, fmt.Errorf("spool: %w", err)
	}
	if err := json.Unmarshal(data, &it); err != nil {
		return it, false, s.changed, fmt.Errorf("spool: %s: %w", s.queue[0].file, err)
	}
	return it, true, s.changed, nil
}

// Changed is closed at the next change (an item queued or sent).
func (s *Spool) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Sent moves the oldest item (id) to sent/ once the hub has PubAck'ed it.
func (s *Spool) Sent(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 || s.queue[0].id != id {
		return fmt.Errorf("spool: %s is not the oldest item", id)
	}
	e := s.queue[0]
	if err := moveDurable(filepath.Join(s.dir, "queue", e.file), filepath.Join(s.dir, "sent", id+".json")); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.queue = s.queue[1:]
	s.bytes -= e.size
	s.notifyLocked()
	return nil
}

// SentItem reads a sent item waiting for its receipt; ok=false when id was
// not sent from this spool (or is settled already).
func (s *Spool) SentItem(id string) (SpoolItem, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var it SpoolItem
	data, err := os.ReadFile(filepath.Join(s.dir, "sent", id+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("spool: %w", err)
	}
	if err := json.Unmarshal(data, &it); err != nil {
		return it, false, fmt.Errorf("spool: sent/%s.json: %w", id, err)
	}
	return it, true, nil
}

// Settle ends a sent item's life when its receipt came: rejected items go
// to failed/ with the receipt beside them, the others are removed. The
// item is returned (ok=false when id was not sent from this spool).
func (s *Spool) Settle(id string, rejected bool, receipt []byte) (SpoolItem, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var it SpoolItem
	path := filepath.Join(s.dir, "sent", id+".json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("spool: %w", err)
	}
	_ = json.Unmarshal(data, &it)
	if rejected {
		if err := writeDurable(filepath.Join(s.dir, "failed"), id+".receipt.json", receipt); err != nil {
			return it, true, fmt.Errorf("spool: %w", err)
		}
		err = moveDurable(path, filepath.Join(s.dir, "failed", id+".json"))
	} else {
		err = os.Remove(path)
	}
	if err != nil {
		return it, true, fmt.Errorf("spool: %w", err)
	}
	delete(s.ids, id)
	return it, true, nil
}

// Refused records an item that pre-flight refused: the body and the
// reasons go to failed/ and nothing is sent.
func (s *Spool) Refused(it SpoolItem, reasons []byte) error {
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dir, "failed")
	if err := writeDurable(dir, it.ID+".json", data); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return writeDurable(dir, it.ID+".reasons.json", reasons)
}

// Len is the number of items waiting to be sent, and their bytes.
func (s *Spool) Len() (int, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue), s.bytes
}

// Sending is the number of items sent and waiting for a receipt.
func (s *Spool) Sending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids) - len(s.queue)
}

func (s *Spool) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// writeDurable writes dir/name atomically (internal/durable).
func writeDurable(dir, name string, data []byte) error { return durable.WriteFile(dir, name, data) }

// moveDurable renames and fsyncs both directories.
func moveDurable(from, to string) error { return durable.Move(from, to) }
