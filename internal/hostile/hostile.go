// Package hostile runs tables of hostile inputs against one door of a
// Geneva process (a config decoder, an HTTP intake), checking for each the
// clear error it must get and upper bounds on the time and memory it may
// cost. The bounds are generous (tens of times the honest cost): they
// catch the super-linear blow-ups an attacker looks for, not noise.
package hostile

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/internal/cputime"
)

// Case is one hostile input and what it must produce.
type Case struct {
	Name  string
	Input []byte
	// Want is a fragment of the error (every line of it when WantLines
	// is set); "" means the input must be accepted.
	Want string
	// MaxLines bounds how many lines the error may have (0: 60).
	MaxLines int
	// MaxTime and MaxAlloc bound the cost of one decode (0: 5s of CPU
	// time, 64 MiB allocated in total).
	MaxTime  time.Duration
	MaxAlloc uint64
}

// Run decodes each case with door and checks its error and its cost.
func Run(t *testing.T, cases []Case, door func(input []byte) error) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			took, alloc, err := Measure(func() error { return door(c.Input) })
			if c.Want == "" {
				if err != nil {
					t.Fatalf("want it accepted, got: %v", err)
				}
			} else {
				if err == nil {
					t.Fatalf("want an error containing %q, got none", c.Want)
				}
				msg := err.Error()
				if !strings.Contains(msg, c.Want) {
					t.Fatalf("want an error containing %q, got: %.2000s", c.Want, msg)
				}
				maxLines := c.MaxLines
				if maxLines == 0 {
					maxLines = 60
				}
				if n := strings.Count(msg, "\n") + 1; n > maxLines {
					t.Fatalf("%d lines of error (at most %d): %.500s", n, maxLines, msg)
				}
			}
			t.Logf("%d bytes in: %v of CPU, %d KiB allocated", len(c.Input), took, alloc>>10)
			CheckCost(t, took, alloc, c.MaxTime, c.MaxAlloc)
		})
	}
}

// Measure runs f and returns the CPU time it took, the bytes it
// allocated and its error (both of the whole process: run cases one at a time,
// not in parallel). CPU time, not wall time: a CPU hog beside the test
// (scripts/stress.sh) stretched a 1 s decode past its 5 s bound in wall
// time, while its CPU cost, which the bounds are about, stays put. Wall
// time where the kernel does not say (cputime.Process is 0).
func Measure(f func() error) (time.Duration, uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start, cpu := time.Now(), cputime.Process()
	err := f()
	took := cputime.Process() - cpu
	if cpu == 0 {
		took = time.Since(start)
	}
	runtime.ReadMemStats(&after)
	return took, after.TotalAlloc - before.TotalAlloc, err
}

// CheckCost fails t when took (CPU time) or alloc exceed their bounds (0: the
// defaults, 5s and 64 MiB).
func CheckCost(t *testing.T, took time.Duration, alloc uint64, maxTime time.Duration, maxAlloc uint64) {
	t.Helper()
	if maxTime == 0 {
		maxTime = 5 * time.Second
	}
	if maxAlloc == 0 {
		maxAlloc = 64 << 20
	}
	if took > maxTime {
		t.Errorf("took %v of CPU, over the %v bound", took, maxTime)
	}
	if alloc > maxAlloc {
		t.Errorf("allocated %d MiB, over the %d MiB bound", alloc>>20, maxAlloc>>20)
	}
}

// File is a path that a loader must refuse with a one-line error, fast.
type File struct {
	Path string
	Want string
}

// RunFiles loads each path with load and checks the error is one line
// containing Want, within the default bounds.
func RunFiles(t *testing.T, files []File, load func(path string) error) {
	t.Helper()
	for _, f := range files {
		t.Run(f.Path, func(t *testing.T) {
			done := make(chan struct{})
			var err error
			var took time.Duration
			var alloc uint64
			go func() {
				defer close(done)
				took, alloc, err = Measure(func() error { return load(f.Path) })
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("loading %s still runs after 10s", f.Path)
			}
			if err == nil || !strings.Contains(err.Error(), f.Want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("want one line containing %q, got %v", f.Want, err)
			}
			CheckCost(t, took, alloc, 0, 0)
		})
	}
}
