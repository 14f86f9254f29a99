package policy

import "testing"

// TestUUID5 pins uuid5 to RFC 9562's example (appendix A.4: www.example.com
// in the DNS namespace), so route bundle ids never change.
func TestUUID5(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got, want := uuid5(dns, "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Fatalf("uuid5 = %s, want %s", got, want)
	}
}
