package hub

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// startWatch catches the embedded NATS server's fatal error while it starts
// (a taken port, JetStream unable to start). nats-server logs such an error
// and never becomes ready; without this the hub would wait out its timeout.
type startWatch struct {
	mu    sync.Mutex
	fatal chan string
	done  bool
}

func newStartWatch() *startWatch { return &startWatch{fatal: make(chan string, 1)} }

// report takes the first fatal line while the server starts; it returns
// false once startup is over, so later ones are logged as usual.
func (w *startWatch) report(line string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return false
	}
	select {
	case w.fatal <- line:
	default:
	}
	return true
}

func (w *startWatch) finish() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// waitForServer waits until the embedded NATS server accepts connections,
// and fails as soon as it reports a fatal error.
func (h *Hub) waitForServer(w *startWatch, timeout time.Duration) error {
	defer w.finish()
	deadline := time.Now().Add(timeout)
	for {
		select {
		case line := <-w.fatal:
			if strings.Contains(line, "listening on port") {
				return fmt.Errorf("nats_listen %s: %s (is another hub or NATS server using it? stop it, or choose another address with --nats-listen or nats_listen)", h.cfg.NATSListen, line)
			}
			return fmt.Errorf("nats server: %s", line)
		default:
		}
		if h.srv.ReadyForConnections(100 * time.Millisecond) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nats server: not ready after %s", timeout)
		}
	}
}

// isIndexRebuild reports a filestore line saying a stream's index.db did not
// match its message blocks at start, so the index was rebuilt from the
// blocks. nats-server logs these as warnings after a clean stop too (seen
// after the hub's intake trims, which compact the stream, and after the
// classified-content erasure), where nothing is lost: the blocks are the
// data, the index a cache. Logged at debug so a normal restart is quiet.
func isIndexRebuild(line string) bool {
	return strings.HasPrefix(line, "Filestore [") &&
		(strings.Contains(line, "] Stream state ") || strings.Contains(line, "] Recovering stream state from index errored"))
}
