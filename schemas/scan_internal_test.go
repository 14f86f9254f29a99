package schemas

import (
	"encoding/binary"
	"testing"
)

// plainWord agrees with plainByte on every byte in every position.
func TestPlainWordMatchesPlainByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			var b [8]byte
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			if got, want := plainWord(binary.LittleEndian.Uint64(b[:])), plainByte[c]; got != want {
				t.Fatalf("byte 0x%02x at %d: plainWord %v, plainByte %v", c, pos, got, want)
			}
		}
	}
	// Neighbours must not mask each other (borrows across bytes).
	for c := 0; c < 256; c++ {
		for n := 0; n < 256; n++ {
			b := [8]byte{'a', 'a', 'a', byte(n), byte(c), 'a', 'a', 'a'}
			if got, want := plainWord(binary.LittleEndian.Uint64(b[:])), plainByte[c] && plainByte[n]; got != want {
				t.Fatalf("bytes 0x%02x 0x%02x: plainWord %v, want %v", n, c, got, want)
			}
		}
	}
}
