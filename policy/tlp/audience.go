package tlp

// Audience is how far a share reaches, narrowest first. The MoU maps it to
// member ids; this package only knows which widths a level allows.
type Audience uint8

const (
	Named       Audience = iota + 1 // members the sender names (--to)
	Community                       // one community of the MoU
	Partnership                     // every member of the MoU
	Public                          // beyond the partnership
)

// Permits reports whether content at level l may reach audience a:
// CLEAR anywhere; GREEN and AMBER the partnership, a community or named
// members; AMBER+STRICT and RED named members only. None (unmarked) and
// invalid levels permit nothing: the MoU decides what unmarked means.
func (l Level) Permits(a Audience) bool {
	switch l {
	case Clear:
		return a >= Named && a <= Public
	case Green, Amber:
		return a >= Named && a <= Partnership
	case AmberStrict, Red:
		return a == Named
	}
	return false
}
