package crashtest_test

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// submitterProcess is one internal/submitter process submitting as member.
type submitterProcess struct {
	member string
	n      int
	cmd    *exec.Cmd
	stderr strings.Builder

	mu    sync.Mutex
	acked map[string]uint64 // msg id → intake sequence of its PubAck
	dups  int               // PubAcks that said "duplicate"
	done  chan error        // the process's end, after its output is read
}

// startSubmitter submits n bundles as member with message ids member-<i>;
// total counts every PubAck of every submitter.
func startSubmitter(t *testing.T, bin, url, creds, member string, n int, total *atomic.Int64) *submitterProcess {
	t.Helper()
	s := &submitterProcess{member: member, n: n, acked: map[string]uint64{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "-url", url, "-creds", creds, "-n", strconv.Itoa(n), "-prefix", member)
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	go func() {
		err := s.read(out, total)
		if werr := s.cmd.Wait(); err == nil && werr != nil {
			err = fmt.Errorf("%w: %s", werr, s.stderr.String())
		}
		s.done <- err
	}()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	return s
}

func (s *submitterProcess) read(out io.Reader, total *atomic.Int64) error {
	sc := bufio.NewScanner(out)
	finished := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "ack":
			seq, err := strconv.ParseUint(f[2], 10, 64)
			if err != nil {
				return fmt.Errorf("submitter %s: bad line %q", s.member, sc.Text())
			}
			s.mu.Lock()
			if _, twice := s.acked[f[1]]; twice {
				s.mu.Unlock()
				return fmt.Errorf("submitter %s: %s acknowledged twice", s.member, f[1])
			}
			s.acked[f[1]] = seq
			if f[3] == "true" {
				s.dups++
			}
			s.mu.Unlock()
			total.Add(1)
		case len(f) == 2 && f[0] == "done":
			finished = true
		default:
			return fmt.Errorf("submitter %s: unexpected line %q", s.member, sc.Text())
		}
	}
	if !finished {
		return fmt.Errorf("submitter %s: output ended without \"done\"", s.member)
	}
	return sc.Err()
}
