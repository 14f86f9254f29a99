//go:build unix

package cputime

import "testing"

// Busy work shows up as CPU time.
func TestProcessGrowsWithWork(t *testing.T) {
	before := Process()
	x := 0
	for i := range 200_000_000 {
		x ^= i
	}
	if after := Process(); after <= before {
		t.Fatalf("CPU time did not grow over busy work (%v then %v, %d)", before, after, x)
	}
}
