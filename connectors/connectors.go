// Package connectors is the plugin API of geneva-connector: a connector
// kind is a Source (the partner's reports going to the hub) or a Sink (what
// the hub delivers, written to a partner system), registered by name in a
// Registry, and checked by the conformance suite in connectortest. The
// daemon that runs kinds (pre-flight, spool, hub, receipts) is
// connectors/daemon; kinds import this package only, never the daemon or
// each other.
package connectors

import (
	"context"
	"encoding/json"

	"github.com/genevahub/geneva/hub/wire"
)

// Envelope is one unit a source produces or a sink receives.
type Envelope struct {
	ID     string          // stable id: the spool key and Nats-Msg-Id; empty lets the runtime derive one from Body
	Member string          // the MoU member it came from (deliveries) or is sent as (submissions)
	TLP    string          // TLP of a delivery (clear, green, amber, amber+strict, red); "" for submissions
	Ref    string          // the source's own handle (a file name), handed back with the receipt
	Body   json.RawMessage // a STIX 2.1 bundle (or one object, which the runtime wraps)
}

// AckFunc settles an envelope a source produced. err == nil: the runtime
// has it (durably). A *RefusedError: it must never be sent; move it aside.
// Any other error: nack, offer it again later.
type AckFunc func(ctx context.Context, err error) error

// Source produces envelopes. Read blocks until one is ready or ctx ends;
// a finite source returns io.EOF when done. After Close, Read returns
// ErrClosed. A constructor does no I/O: it starts on the first Read.
type Source interface {
	Read(ctx context.Context) (Envelope, AckFunc, error)
	Close(ctx context.Context) error
}

// Sink writes what the hub delivered. Write returns nil only once the
// partner system has accepted the envelope; an error makes the runtime
// retry with backoff. A constructor does no I/O.
type Sink interface {
	Write(ctx context.Context, e Envelope) error
	Close(ctx context.Context) error
}

// ReceiptHandler is implemented by sources that want the hub's receipt for
// what they produced (the dir source writes it beside the file).
type ReceiptHandler interface {
	Receipt(ctx context.Context, ref string, r wire.Receipt) error
}
