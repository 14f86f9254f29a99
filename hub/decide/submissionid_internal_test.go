package decide

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
)

// Pooled HMACs give the ids the hub has always given: a changed id would
// turn every redelivery after an upgrade into a duplicate.
func TestSubmissionIDsAreStable(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	ids := newSubmissionIDs(secret)
	for _, c := range []struct {
		member string
		seq    uint64
	}{{"bank-one", 1}, {"le-alpha", 18446744073709551615}, {"a-very-long-member-id-of-32-char", 42}, {"bank-one", 1}} {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(c.member + "\x00" + strconv.FormatUint(c.seq, 10)))
		want := "sub-" + hex.EncodeToString(mac.Sum(nil)[:12])
		if got := ids.id(c.member, c.seq); got != want {
			t.Errorf("id(%q, %d) = %s, want %s", c.member, c.seq, got, want)
		}
	}
}
