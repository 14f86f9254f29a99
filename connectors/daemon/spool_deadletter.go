package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OutboundQueue is the outbound queue's name under deadletter/: an item
// the hub can never take (too large, refused for good) lands in
// <spool dir>/deadletter/outbound/<id>.json with <id>.why beside it (one
// line: reason, attempts, time), and the queue moves on.
const OutboundQueue = "outbound"

// DeadLetter moves the oldest item (id) out of the queue into
// deadletter/outbound/ with its reason.
func (s *Spool) DeadLetter(id, reason string, attempts int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 || s.queue[0].id != id {
		return fmt.Errorf("spool: %s is not the oldest item", id)
	}
	e := s.queue[0]
	dir := filepath.Join(s.dir, "deadletter", OutboundQueue)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	why := fmt.Sprintf("%s; attempts=%d; time=%s\n", strings.ReplaceAll(reason, "\n", " "), attempts, time.Now().UTC().Format(time.RFC3339))
	if err := writeDurable(dir, id+".why", []byte(why)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := moveDurable(filepath.Join(s.dir, "queue", e.file), filepath.Join(dir, id+".json")); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.queue = s.queue[1:]
	s.bytes -= e.size
	delete(s.ids, id) // never sent: a corrected resubmission is welcome
	s.notifyLocked()
	return nil
}
