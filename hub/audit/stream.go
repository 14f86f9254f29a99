package audit

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultDuplicates is the dedup window StreamConfig asks for. A redelivered
// decision is normally appended again within seconds (the worker's AckWait);
// the window only has to outlast the longest crash-and-restart that should
// still be harmless. Past it, a retried append adds a second, correctly
// chained record for the same msgID.
const DefaultDuplicates = 10 * time.Minute

// StreamConfig is the configuration the audit stream should have: file
// storage, no limits (a record that ages out breaks the chain: Verify
// reports records missing from the start), no deletes or purges through the
// API, one subject, and atomic batches allowed.
func StreamConfig(stream, subject string) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        stream,
		Description: "Geneva hash-chained audit log",
		Subjects:    []string{subject},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		Duplicates:  DefaultDuplicates,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
		// On a cluster the Log appends queued records as atomic batches
		// (atomic.go); nats-server 2.12 or later.
		AllowAtomicPublish: true,
	}
}
