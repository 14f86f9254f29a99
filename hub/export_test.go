package hub

import (
	"context"
	"time"
)

// TrimIntake lets black-box tests trim an intake now, with any cutoff.
func (h *Hub) TrimIntake(ctx context.Context, member string, cutoff time.Time) error {
	return h.trimIntake(ctx, member, cutoff)
}
