package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"net/url"
	"time"
)

// TOTP (RFC 6238) as authenticator apps expect it: HMAC-SHA-1, 6 digits,
// 30-second steps, a 160-bit secret shown in base32.
const (
	totpDigits = 6
	totpStep   = 30 * time.Second
	totpSkew   = 1 // steps accepted either side of now (clock drift)
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret is a fresh random secret, base32.
func newTOTPSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return b32.EncodeToString(b)
}

// totpURI is the otpauth:// URI an authenticator app imports.
func totpURI(issuer, account, secret string) string {
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + q.Encode()
}

// hotp is RFC 4226 §5.3 with any HMAC hash (RFC 6238 §1.2).
func hotp(key []byte, counter uint64, digits int, h func() hash.Hash) string {
	mac := hmac.New(h, key)
	_ = binary.Write(mac, binary.BigEndian, counter)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, code%mod)
}

// totpAt is the code for time t (RFC 6238 §4.2: T0 = 0).
func totpAt(key []byte, t time.Time, digits int, h func() hash.Hash) string {
	return hotp(key, uint64(t.Unix())/uint64(totpStep/time.Second), digits, h)
}

// checkTOTP returns the step a code matches within the skew, and whether
// one did. The caller refuses a step at or below the last one used, so a
// code cannot be replayed.
func checkTOTP(secret, code string, now time.Time) (step uint64, ok bool) {
	key, err := b32.DecodeString(secret)
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	cur := uint64(now.Unix()) / uint64(totpStep/time.Second)
	for d := -totpSkew; d <= totpSkew; d++ {
		s := uint64(int64(cur) + int64(d))
		if subtle.ConstantTimeCompare([]byte(hotp(key, s, totpDigits, sha1.New)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode is the current code for a base32 secret (for tests and for the
// operator's first sign-in checks).
func TOTPCode(secret string, now time.Time) (string, error) {
	key, err := b32.DecodeString(secret)
	if err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return totpAt(key, now, totpDigits, sha1.New), nil
}
