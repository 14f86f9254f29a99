package wire

import "errors"

// ErrNotPermitted is what a refused action becomes: NATS reports it as a
// permission violation (or, for requests, as a timeout).
var ErrNotPermitted = errors.New("not permitted")
