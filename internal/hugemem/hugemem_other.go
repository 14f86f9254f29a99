//go:build !linux

package hugemem

// Alloc: elsewhere callers allocate on the Go heap.
func Alloc(int) []byte { return nil }

// Free does nothing.
func Free([]byte) {}
