package daemon

import (
	"sync"
	"time"
)

// stuckQueue tracks how long the head of the outbound queue has failed to
// reach the hub, for /healthz.
type stuckQueue struct {
	mu       sync.Mutex
	id       string
	since    time.Time
	attempts int
	lastErr  string
}

func (q *stuckQueue) failed(id string, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.id != id {
		q.id, q.since, q.attempts = id, time.Now(), 0
	}
	q.attempts++
	q.lastErr = err.Error()
}

func (q *stuckQueue) moved() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.id, q.since, q.attempts, q.lastErr = "", time.Time{}, 0, ""
}

// state reports the stuck head, if it has failed for longer than after.
func (q *stuckQueue) state(after time.Duration) (map[string]any, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.id == "" || time.Since(q.since) < after {
		return nil, false
	}
	return map[string]any{"id": q.id, "since": q.since.UTC().Format(time.RFC3339), "attempts": q.attempts, "last_error": q.lastErr}, true
}
