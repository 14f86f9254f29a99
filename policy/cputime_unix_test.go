//go:build unix

package policy_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used so far; on a shared
// machine it moves less than wall time with the load of others.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
