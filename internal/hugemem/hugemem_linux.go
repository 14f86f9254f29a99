// Package hugemem hands out large pointer-free buffers outside the Go heap,
// in transparent huge pages where the kernel allows it. Filling fresh
// memory otherwise costs a page fault per 4 KiB (with huge pages, one per
// 2 MiB): for geneva validate, whose inputs and scan tapes are megabytes
// of fresh memory in a short process, that was a tenth of its CPU. Only
// what is written is ever backed by memory.
package hugemem

import (
	"golang.org/x/sys/unix"
)

// Alloc returns an empty buffer with room for n bytes, or nil when that
// fails (the caller then allocates as usual). Nothing in it may point into
// the Go heap. Hand it back with Free.
func Alloc(n int) []byte {
	const huge = 2 << 20
	n = (n + huge - 1) &^ (huge - 1)
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // advice only: without it, small pages
	return b[:0]
}

// Free unmaps what Alloc returned; nothing may use it afterwards.
func Free(b []byte) {
	if cap(b) > 0 {
		_ = unix.Munmap(b[:cap(b)])
	}
}
