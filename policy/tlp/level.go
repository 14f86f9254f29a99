package tlp

import (
	"fmt"
	"strings"
)

// ParseLevel reads a TLP level written by a person or a producer:
// "TLP:AMBER+STRICT", "amber+strict", "Amber Strict", "white", "TLP:CLEAR".
// Case, surrounding space and the "TLP:" / "TLP " prefix do not matter.
// TLP 1.0 WHITE is CLEAR. "none" and "" are not levels.
func ParseLevel(s string) (Level, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if len(t) > 3 && strings.HasPrefix(t, "tlp") && (t[3] == ':' || t[3] == ' ') {
		t = strings.TrimLeft(t[3:], ": ")
	}
	switch t {
	case "clear", "white":
		return Clear, nil
	case "green":
		return Green, nil
	case "amber":
		return Amber, nil
	case "amber+strict", "amber strict", "amber-strict", "amber_strict":
		return AmberStrict, nil
	case "red":
		return Red, nil
	}
	return None, fmt.Errorf("unknown TLP level %q (want clear, green, amber, amber+strict or red)", clip(s))
}

// MarshalText writes the lower-case TLP 2.0 name ("amber+strict").
func (l Level) MarshalText() ([]byte, error) {
	if int(l) >= len(names) {
		return nil, fmt.Errorf("invalid TLP level %d", uint8(l))
	}
	return []byte(names[l]), nil
}

// UnmarshalText reads what ParseLevel reads, and "none" for None.
func (l *Level) UnmarshalText(b []byte) error {
	if strings.EqualFold(strings.TrimSpace(string(b)), "none") {
		*l = None
		return nil
	}
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Label is the upper-case form used in names and banners: "TLP:AMBER+STRICT".
func (l Level) Label() string {
	if l == None || int(l) >= len(names) {
		return ""
	}
	return "TLP:" + strings.ToUpper(names[l])
}

// Max is the more restrictive of two levels. An object marked with several
// TLP levels is handled at the most restrictive one; None never lowers a level.
func Max(a, b Level) Level {
	if a > b {
		return a
	}
	return b
}

// MoreRestrictive reports whether l restricts sharing more than other
// (Red > AmberStrict > Amber > Green > Clear > None).
func (l Level) MoreRestrictive(other Level) bool { return l > other }

// NamedRecipientsOnly reports whether the level may only go to recipients
// the sender names (AMBER+STRICT and RED), never to a community or to the
// whole partnership.
func (l Level) NamedRecipientsOnly() bool { return l == AmberStrict || l == Red }

// Archivable reports whether content at this level may be written to the
// long-term archive (RED never is).
func (l Level) Archivable() bool { return l != Red && l != None }

func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
