// Package jspull is how the hub's long-running JetStream readers pull:
// with a short heartbeat, so a reader recovers within seconds after a
// NATS partition heals.
//
// A consumer leader that loses its leadership (a partitioned NATS node),
// or a node that goes away, drops the pulls waiting on it without a word;
// the client notices after two missed heartbeats and pulls again (an
// ordered consumer is recreated). nats.go's defaults are a 15 s heartbeat
// for a durable consumer (30 s stalled) and 5 s for an ordered one (10 s);
// 2 s holds a reader 4 s. An idle pull costs a heartbeat every 2 s.
// The worker's intake pulls use them too (TestHubOnCutNodeDecidesSoonAfterHealing).
package jspull

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const (
	// Expiry is how long one pull request waits at the server.
	Expiry = 10 * time.Second
	// Heartbeat is how often the server says an idle pull is still alive.
	Heartbeat = 2 * time.Second
)

// Consume are the options for Consume, followed by opts.
func Consume(opts ...jetstream.PullConsumeOpt) []jetstream.PullConsumeOpt {
	return append([]jetstream.PullConsumeOpt{jetstream.PullExpiry(Expiry), jetstream.PullHeartbeat(Heartbeat)}, opts...)
}

// Messages are the options for Messages, followed by opts.
func Messages(opts ...jetstream.PullMessagesOpt) []jetstream.PullMessagesOpt {
	return append([]jetstream.PullMessagesOpt{jetstream.PullExpiry(Expiry), jetstream.PullHeartbeat(Heartbeat)}, opts...)
}
