package connectors

import (
	"errors"
	"strings"

	"github.com/genevahub/geneva/policy"
)

var (
	ErrUnknownConnector = errors.New("unknown connector")
	ErrDuplicate        = errors.New("connector already registered")
	ErrClosed           = errors.New("connector closed")
	ErrSpoolFull        = errors.New("spool full")
)

// RefusedError says why an envelope may never leave: the pre-flight policy
// decision (invalid, classified, not shareable) or a TLP reach refusal.
type RefusedError struct {
	Reasons []policy.Reason
}

func (e *RefusedError) Error() string {
	codes := make([]string, 0, len(e.Reasons))
	for _, r := range e.Reasons {
		codes = append(codes, string(r.Code))
	}
	if len(codes) == 0 {
		return "refused"
	}
	return "refused: " + strings.Join(codes, ", ")
}
