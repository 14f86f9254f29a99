package main

import (
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// system is one side of the comparison, running in this process: a
// submitter connection and one connection per receiving member, each
// reading its own consumer.
type system struct {
	name      string
	submit    jetstream.JetStream
	msg       func(key string, bundle []byte) *nats.Msg // the intake message of one submission
	receivers []receiver
	close     func()
	// onDelivery gets each part the receivers' consumers deliver (nil:
	// between phases, parts are only acked).
	onDelivery atomic.Pointer[func(data []byte, at time.Time)]
}

type receiver struct {
	member           string
	js               jetstream.JetStream
	stream, consumer string
}

// receivingMembers are the four demo members a GREEN bundle from bank-one
// reaches.
var receivingMembers = []string{"le-alpha", "le-bravo", "isp-two", "cert-three"}

const sender = "bank-one"

// asyncWindow bounds the PubAcks a publisher waits for at once (both sides).
const asyncWindow = 4000
