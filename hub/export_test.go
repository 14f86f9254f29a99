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

// WorkerAckWait is how long an intake message delivered to a worker that
// never acks it (stopped, killed) waits before it is delivered again.
const WorkerAckWait = workerAckWait
