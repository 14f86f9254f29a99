package hub

import (
	"sync"

	"github.com/nats-io/nats.go"
)

// A hub service used to answer from its subscription's one goroutine, in
// arrival order for everyone: a member flooding a service (each
// subscribe request lists consumers and creates one) delayed every other
// member's requests behind its own. A fairQueue hands the requests to a
// few goroutines and takes the askers in turn, one request of an asker at
// a time, with a short waiting line per asker: a flooding member waits
// behind itself, its surplus is refused at once (a busy answer), and any
// other member's request is taken within one handling of each asker
// ahead of it.
type fairQueue struct {
	handle   nats.MsgHandler
	workers  int // requests handled at once, at most
	perAsker int // requests of one asker waiting, at most; more are refused

	mu      sync.Mutex
	running int                    // goroutines handling requests
	waiting map[string][]*nats.Msg // asker → its requests not yet taken, oldest first
	busy    map[string]bool        // askers with a request being handled
	turns   []string               // askers with a request waiting and none being handled, in turn
}

// Defaults of the member-facing services: their handlers mostly wait on
// JetStream API round trips, so a few at once cost little CPU.
const (
	serviceWorkers  = 4
	serviceWaiting  = 16
	serialWorkers   = 1 // a service whose requests must not overlap (review)
	droppedLogEvery = 1000
)

func newFairQueue(workers, perAsker int, handle nats.MsgHandler) *fairQueue {
	return &fairQueue{handle: handle, workers: workers, perAsker: perAsker,
		waiting: map[string][]*nats.Msg{}, busy: map[string]bool{}}
}

// add queues msg of asker ("" for the hub's own account) and says whether
// it was taken: false when the asker already has perAsker waiting.
func (q *fairQueue) add(asker string, msg *nats.Msg) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	w := q.waiting[asker]
	if len(w) >= q.perAsker {
		return false
	}
	q.waiting[asker] = append(w, msg)
	if len(w) == 0 && !q.busy[asker] {
		q.turns = append(q.turns, asker)
	}
	if q.running < q.workers && len(q.turns) > 0 {
		q.running++
		go q.work()
	}
	return true
}

// work handles requests, the next asker's turn each time, until no asker
// waits; then the goroutine ends (an idle service holds none).
func (q *fairQueue) work() {
	q.mu.Lock()
	for len(q.turns) > 0 {
		asker := q.turns[0]
		q.turns = q.turns[1:]
		w := q.waiting[asker]
		msg := w[0]
		if len(w) == 1 {
			delete(q.waiting, asker)
		} else {
			q.waiting[asker] = w[1:]
		}
		q.busy[asker] = true
		q.mu.Unlock()

		q.handle(msg)

		q.mu.Lock()
		delete(q.busy, asker)
		if len(q.waiting[asker]) > 0 {
			q.turns = append(q.turns, asker) // behind everyone who waited meanwhile
		}
	}
	q.running--
	q.mu.Unlock()
}
