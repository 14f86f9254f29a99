//go:build unix

// Package cputime reads the process's CPU time, which benchmarks on a
// shared machine report beside (or instead of) wall time: it moves less
// with the load of others.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user plus system CPU time this process has used so far
// (every goroutine, an embedded NATS server included); 0 if the kernel
// does not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
