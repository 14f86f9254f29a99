package portal

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"testing"
	"time"
)

// RFC 6238 Appendix B.
func TestTOTPVectors(t *testing.T) {
	seeds := map[string]struct {
		key string
		h   func() hash.Hash
	}{
		"SHA1":   {"12345678901234567890", sha1.New},
		"SHA256": {"12345678901234567890123456789012", sha256.New},
		"SHA512": {"1234567890123456789012345678901234567890123456789012345678901234", sha512.New},
	}
	vectors := []struct {
		t    int64
		want map[string]string
	}{
		{59, map[string]string{"SHA1": "94287082", "SHA256": "46119246", "SHA512": "90693936"}},
		{1111111109, map[string]string{"SHA1": "07081804", "SHA256": "68084774", "SHA512": "25091201"}},
		{1111111111, map[string]string{"SHA1": "14050471", "SHA256": "67062674", "SHA512": "99943326"}},
		{1234567890, map[string]string{"SHA1": "89005924", "SHA256": "91819424", "SHA512": "93441116"}},
		{2000000000, map[string]string{"SHA1": "69279037", "SHA256": "90698825", "SHA512": "38618901"}},
		{20000000000, map[string]string{"SHA1": "65353130", "SHA256": "77737706", "SHA512": "47863826"}},
	}
	for _, v := range vectors {
		for name, s := range seeds {
			if got := totpAt([]byte(s.key), time.Unix(v.t, 0), 8, s.h); got != v.want[name] {
				t.Errorf("T=%d %s: got %s, want %s", v.t, name, got, v.want[name])
			}
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := newTOTPSecret()
	now := time.Unix(1_800_000_015, 0)
	code, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := checkTOTP(secret, code, now.Add(totpStep)) // one step of drift
	if !ok || step != uint64(now.Unix())/30 {
		t.Fatalf("code of the previous step refused (step %d, ok %v)", step, ok)
	}
	if _, ok := checkTOTP(secret, code, now.Add(3*totpStep)); ok {
		t.Fatal("a code three steps old was accepted")
	}
	if _, ok := checkTOTP(secret, "12345", now); ok {
		t.Fatal("a 5-digit code was accepted")
	}
}

func TestPasswordHash(t *testing.T) {
	h := hashPassword("correct horse battery")
	if ok, err := checkPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := checkPassword(h, "correct horse batterz"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := checkPassword("$argon2i$v=19$m=1,t=1,p=1$AA$AA", "x"); err == nil {
		t.Fatal("argon2i hash accepted as argon2id")
	}
}
