package connectors

import (
	"fmt"

	"github.com/genevahub/geneva/policy"
)

// HeaderRoom is what a submission's NATS headers may take beside its
// bundle within the hub's max_payload.
const HeaderRoom = 4096

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

// RejectedError is a sink saying the partner system refused this envelope
// (an HTTP 4xx, say): trying the same bytes again will not help.
type RejectedError struct{ Err error }

func (e *RejectedError) Error() string { return "rejected: " + e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

// Rejected marks err as a refusal of this envelope, not an outage.
func Rejected(err error) error { return &RejectedError{Err: err} }

// RefusesEnvelope says whether an HTTP status refuses the request's body
// (bad, too large, unsupported, unprocessable) rather than the sender (401,
// 403), the address (404) or the moment (408, 429, 5xx).
func RefusesEnvelope(status int) bool {
	switch status {
	case 400, 413, 415, 422:
		return true
	}
	return false
}
