package audit

import (
	"errors"
	"fmt"
)

// ErrInvalidRecord is wrapped by Append when a record cannot be appended as
// given.
var ErrInvalidRecord = errors.New("invalid audit record")

// BrokenLinkError names the first place where the chain does not hold.
type BrokenLinkError struct {
	Seq    uint64 // stream sequence of the first record (or missing record) that breaks the chain
	Reason string // what is wrong there, one line
}

func (e *BrokenLinkError) Error() string {
	return fmt.Sprintf("audit chain broken at sequence %d: %s", e.Seq, e.Reason)
}
