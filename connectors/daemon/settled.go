package daemon

import "sync"

// settledShares remembers the stream sequences of the latest shares the
// sinks settled (written, or set aside as dead letters) and acked. An ack
// is sent once and not confirmed: when the hub is out of reach as it goes
// (a leaf node's WAN link down), it is lost and the hub redelivers the
// share after the link returns. A redelivery of a share remembered here is
// acked again instead of written twice. Only the latest settledMemory are
// kept: a lost ack's redelivery comes within the consumer's ack wait of the
// link's return, ahead of newer shares. After a connector restart nothing
// is remembered: a redelivery is written again (sinks are idempotent by
// the share's id: a file by its name, a webhook's Idempotency-Key).
type settledShares struct {
	mu   sync.Mutex
	seqs map[uint64]bool
	ring []uint64 // in the order settled; the oldest is overwritten
	next int
}

const settledMemory = 4096

func newSettledShares() *settledShares {
	return &settledShares{seqs: map[uint64]bool{}, ring: make([]uint64, settledMemory)}
}

// add remembers seq (0, a replayed dead letter, is never redelivered).
func (s *settledShares) add(seq uint64) {
	if seq == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seqs[seq] {
		return
	}
	delete(s.seqs, s.ring[s.next])
	s.ring[s.next] = seq
	s.next = (s.next + 1) % len(s.ring)
	s.seqs[seq] = true
}

func (s *settledShares) has(seq uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seqs[seq]
}
