// Package tlp models the Traffic Light Protocol (TLP 2.0) levels and the
// STIX marking definitions that carry them.
package tlp

// Level is a TLP level, ordered from least to most restrictive. The zero
// value None means "no TLP marking", which is not a level: callers decide
// what unmarked content means (the MoU does).
type Level uint8

const (
	None Level = iota
	Clear
	Green
	Amber
	AmberStrict
	Red
)

var names = [...]string{None: "none", Clear: "clear", Green: "green", Amber: "amber", AmberStrict: "amber+strict", Red: "red"}

// String is the lower-case TLP 2.0 name: "clear", "amber+strict", ...
func (l Level) String() string {
	if int(l) < len(names) {
		return names[l]
	}
	return "invalid"
}
