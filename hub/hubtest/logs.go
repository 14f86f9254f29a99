package hubtest

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/genevahub/geneva/hub"
)

// Logs collects a hub's log lines; the hub's goroutines may write at once.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is every line written so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WithLogs sends the hub's log records at level and above to l, as text.
func WithLogs(l *Logs, level slog.Level) Option {
	return func(c *hub.Config) {
		c.Logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: level}))
	}
}
