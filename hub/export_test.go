package hub

import (
	"context"
	"time"
)

// TrimIntake lets black-box tests trim an intake now, with any cutoff.
func (h *Hub) TrimIntake(ctx context.Context, member string, cutoff time.Time) error {
	return h.trimIntake(ctx, member, cutoff)
}

// PriorTLP is what the hub's prior-state index remembers of object id.
func (h *Hub) PriorTLP(id string) (string, bool) {
	o, ok := h.prior.Object(id)
	return o.TLP.String(), ok
}

// SetRequestClock sets the request tracker's clock (a fake one in tests).
func (h *Hub) SetRequestClock(ctx context.Context, now func() time.Time) error {
	return h.requests.do(ctx, func(context.Context) { h.requests.now = now })
}

// TickRequests has the request tracker look for overdue requests now.
func (h *Hub) TickRequests(ctx context.Context) error {
	return h.requests.do(ctx, h.requests.tick)
}

// WorkerAckWait is how long an intake message delivered to a worker that
// never acks it (stopped, killed) waits before it is delivered again.
const WorkerAckWait = workerAckWait
