package hub

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// goroutines is the one owner of the goroutines a Run starts: an errgroup
// that the stop path waits for last, so Run never returns with one of them
// still running, and whose context ends when one of them fails, which
// stops the hub through the one stop path (runServices). As in nats-server
// (Server.startGoRoutine), it refuses to start one once the hub is
// stopping: a handler that wants a goroutine of its own then does its work
// without it, and the wait cannot miss one started during it.
type goroutines struct {
	mu     sync.Mutex
	g      *errgroup.Group
	closed bool
	cancel context.CancelFunc
}

// newGoroutines returns the owner and the context its goroutines run
// under: it ends when ctx does, when one of them returns an error, or at
// stopTaking.
func newGoroutines(ctx context.Context) (*goroutines, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	g, ctx := errgroup.WithContext(ctx)
	return &goroutines{g: g, cancel: cancel}, ctx
}

// Go runs f on a goroutine of its own, unless the hub is stopping; it says
// whether it did. An error from f stops the hub, and Run returns it.
func (o *goroutines) Go(f func() error) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	o.g.Go(f)
	return true
}

// stopTaking ends the goroutines' context: the loops that run until it
// ends (the MoU file's watch, following the other hub processes) stop.
func (o *goroutines) stopTaking() { o.cancel() }

// wait starts no more goroutines, ends their context, and waits for every
// one to end; it returns the first error one returned.
func (o *goroutines) wait() error {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.cancel()
	return o.g.Wait()
}

// spawn runs f on a goroutine owned by the running hub (see goroutines);
// false if the hub is stopping and f was not started. During the start it
// is always true: runServices starts the parts and stops them on one
// goroutine.
func (h *Hub) spawn(f func()) bool {
	return h.running.Go(func() error { f(); return nil })
}
