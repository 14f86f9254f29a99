package policy

import (
	"fmt"
	"strings"
)

// String is the lower-case verdict name used in receipts and output.
func (v Verdict) String() string {
	switch v {
	case Reject:
		return "reject"
	case Accept:
		return "accept"
	case Partial:
		return "partial"
	case Review:
		return "review"
	}
	return "invalid"
}

// MarshalText writes String.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads what String writes.
func (v *Verdict) UnmarshalText(b []byte) error {
	for _, c := range []Verdict{Reject, Accept, Partial, Review} {
		if strings.EqualFold(string(b), c.String()) {
			*v = c
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q (want accept, partial, reject or review)", clip(string(b)))
}
