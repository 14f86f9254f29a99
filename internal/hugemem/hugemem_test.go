package hugemem

import (
	"runtime"
	"testing"
)

// A buffer holds what was asked for, can be written and read across its
// whole room, and is freed without fault.
func TestAllocWriteFree(t *testing.T) {
	b := Alloc(3 << 20)
	if runtime.GOOS == "linux" && b == nil {
		t.Fatal("no buffer on Linux")
	}
	if b == nil {
		t.Skip("hugemem allocates only on Linux") // callers fall back to make
	}
	if len(b) != 0 || cap(b) < 3<<20 {
		t.Fatalf("len %d cap %d, want 0 and at least %d", len(b), cap(b), 3<<20)
	}
	b = b[:cap(b)]
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(i >> 12)
	}
	for i := 0; i < len(b); i += 4096 {
		if b[i] != byte(i>>12) {
			t.Fatalf("byte %d reads %d", i, b[i])
		}
	}
	Free(b)
	Free(nil)
}
