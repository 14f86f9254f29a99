package daemon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/genevahub/geneva/internal/durable"
)

// settledShares remembers the stream sequences of the latest shares the
// sinks settled (written, or set aside as dead letters) and acked. An ack
// is sent once and not confirmed: when the hub is out of reach as it goes
// (a leaf node's WAN link down), it is lost and the hub redelivers the
// share after the link returns. A redelivery of a share remembered here is
// acked again instead of written twice. Only the latest settledMemory are
// kept: a lost ack's redelivery comes within the consumer's ack wait of the
// link's return, ahead of newer shares.
//
// The memory outlives a restart (a lost ack, then the connector stopped
// before the link returned): each sequence is appended to a log in the
// spool's state folder before its share is acked. The log is 8 bytes a
// share; at twice settledMemory entries it is rewritten with the latest
// settledMemory (written beside it, fsync'ed, renamed), so it stays under
// 64 KiB. Appends are not fsync'ed: they survive the process's crash, not
// the machine's (then a share may be written again, under the same id).
type settledShares struct {
	mu   sync.Mutex
	seqs map[uint64]bool
	ring []uint64 // in the order settled; the oldest is overwritten
	next int

	path   string   // the log; "" keeps the memory in this process only
	log    *os.File // open for appending
	logged int      // entries in the log
}

const settledMemory = 4096

// settledLog is the log's name in the spool's state folder (a source or
// sink name has no '.', so no connector's own state folder is called so).
const settledLog = "inbox.settled"

func newSettledShares() *settledShares {
	return &settledShares{seqs: map[uint64]bool{}, ring: make([]uint64, settledMemory)}
}

// openSettledShares loads the memory from the log at path (a missing log
// is an empty memory; a torn last entry is dropped) and keeps it there.
func openSettledShares(path string) (*settledShares, error) {
	s := newSettledShares()
	s.path = path
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("settled shares: %w", err)
	}
	for ; len(data) >= 8; data = data[8:] {
		s.remember(binary.LittleEndian.Uint64(data))
	}
	if err := s.rewrite(); err != nil {
		return nil, err
	}
	return s, nil
}

// add remembers seq (0, a replayed dead letter, is never redelivered). An
// error means only that the log did not take it: it is remembered until
// the connector stops.
func (s *settledShares) add(seq uint64) error {
	if seq == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.remember(seq) || s.log == nil {
		return nil
	}
	var rec [8]byte
	binary.LittleEndian.PutUint64(rec[:], seq)
	if _, err := s.log.Write(rec[:]); err != nil {
		return fmt.Errorf("settled shares: %w", err)
	}
	if s.logged++; s.logged >= 2*len(s.ring) {
		return s.rewrite()
	}
	return nil
}

func (s *settledShares) has(seq uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seqs[seq]
}

// close closes the log.
func (s *settledShares) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != nil {
		_ = s.log.Close()
		s.log = nil
	}
}

// remember adds seq to the memory; false if it was there.
func (s *settledShares) remember(seq uint64) bool {
	if seq == 0 || s.seqs[seq] {
		return false
	}
	delete(s.seqs, s.ring[s.next])
	s.ring[s.next] = seq
	s.next = (s.next + 1) % len(s.ring)
	s.seqs[seq] = true
	return true
}

// rewrite replaces the log with the memory, oldest first, and reopens it
// for appending.
func (s *settledShares) rewrite() error {
	data := make([]byte, 0, 8*len(s.seqs))
	for i := range s.ring {
		if seq := s.ring[(s.next+i)%len(s.ring)]; seq != 0 {
			data = binary.LittleEndian.AppendUint64(data, seq)
		}
	}
	if s.log != nil {
		_ = s.log.Close()
		s.log = nil
	}
	if err := durable.WriteFile(filepath.Dir(s.path), filepath.Base(s.path), data); err != nil {
		return fmt.Errorf("settled shares: %w", err)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("settled shares: %w", err)
	}
	s.log, s.logged = f, len(data)/8
	return nil
}
