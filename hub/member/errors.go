package member

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// ErrNotPermitted is what a refused action becomes: the server reports a
// permission violation, which the client turns into this error with the
// subject that was refused.
var ErrNotPermitted = wire.ErrNotPermitted

// TooLargeError is a submission larger than the hub takes.
type TooLargeError struct {
	Size, Max int64 // bytes: the bundle's, and the hub's max_payload
	Server    string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("submit: the bundle is %d bytes; the hub at %s accepts at most %d (its max_payload)", e.Size, e.Server, e.Max)
}

// Permanent says whether a submission failed in a way retrying cannot
// fix: larger than the hub's max_payload or its stream's message limit.
func Permanent(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, new(*TooLargeError)) || errors.Is(err, nats.ErrMaxPayload) ||
		(errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum)
}

// Answered says whether a failed submission got the hub's answer, a
// refusal (over quota, a stream error): then nothing was stored. Without
// an answer (a timeout, the connection lost) it may have been.
func Answered(err error) bool {
	return errors.As(err, new(*jetstream.APIError))
}

// ErrRefused means the hub did not accept the member's credentials.
var ErrRefused = errors.New("credentials refused")

// NoAnswerError means the hub did not answer: not running, not reachable,
// or too slow for the deadline.
type NoAnswerError struct {
	Server string
	What   string        // what was being done: "connect", "submit", ...
	After  time.Duration // how long was waited; 0 when the connection failed at once
}

func (e *NoAnswerError) Error() string {
	if e.After <= 0 {
		return fmt.Sprintf("%s: no answer from the hub at %s (is geneva-hub running?)", e.What, e.Server)
	}
	return fmt.Sprintf("%s: no answer from the hub at %s within %v (is geneva-hub running?)", e.What, e.Server, e.After)
}

// RefusedError is the hub's answer when it will not do what was asked (a
// suspended member, a bad request).
type RefusedError struct {
	What   string
	Reason string
}

func (e *RefusedError) Error() string { return e.What + ": the hub refused: " + e.Reason }
