package connectors

import (
	"fmt"

	"github.com/genevahub/geneva/policy"
)

// HeaderRoom is what a submission's NATS headers may take beside its
// bundle within the hub's max_payload.
const HeaderRoom = 4096

// SizeLimit is the largest bundle the hub can take: the MoU's max_bytes
// and, once connected, the hub's NATS max_payload less HeaderRoom. One
// budget end to end: sources refuse what exceeds it before answering,
// pre-flight refuses it, and the outbound queue dead-letters it.
func (c *Connector) SizeLimit() int64 {
	limit := int64(c.mouMaxBytes)
	if c.nc != nil {
		if mp := c.nc.MaxPayload(); mp > 0 {
			limit = min(limit, mp-HeaderRoom)
		}
	}
	return limit
}

// TooLarge is the refusal for a body of n bytes over limit: a source
// answers it with 413 or moves the file to failed/ with this reason.
func TooLarge(n, limit int64) *RefusedError {
	return &RefusedError{Reasons: []policy.Reason{{Code: policy.CodeSizeBytes, Pointer: "",
		Message: fmt.Sprintf("%d bytes: the hub takes at most %d (the MoU's max_bytes or the hub's max_payload less %d for headers, whichever is smaller)", n, limit, HeaderRoom)}}}
}

// IsTooLarge says whether err refuses an item for its size.
func IsTooLarge(err *RefusedError) bool {
	for _, r := range err.Reasons {
		if r.Code == policy.CodeSizeBytes {
			return true
		}
	}
	return false
}
