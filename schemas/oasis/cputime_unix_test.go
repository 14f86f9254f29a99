//go:build unix

package oasis_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system, all threads, GC included) the
// test process has used. Benchmarks report it beside wall time because the
// machine is shared and wall time also counts waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
