package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/genevahub/geneva/policy"
)

// A share on a shared scope ("all", "c.<community>") carries in its
// subject a generation: a token of the scope's member set when it was
// decided, so that a member's inbox filters name only the sets that hold
// it (hub/scopes.go explains why).

// ScopeGeneration is the subject token of one member set of a scope.
func ScopeGeneration(scope string, members []string) string {
	sum := sha256.Sum256([]byte(scope + "|" + strings.Join(members, ",")))
	return "g" + hex.EncodeToString(sum[:6])
}

// RouteScope is the scope part of a route's subject: a shared scope with
// the generation of its set at decision time, a named one ("m.<member>")
// as it is. The set is the scope's members (Route.ScopeMembers): the
// receivers, and the sender only when it is one of them; a member that
// addresses a community it is not in (accepts_from) is not in its set.
func RouteScope(rt policy.Route, sender string) string {
	if strings.HasPrefix(rt.Scope, "m.") {
		return rt.Scope
	}
	set := rt.ScopeMembers
	if set == nil { // a route built by hand: the sender is in the scope
		set = append(slices.Clone(rt.Audience), sender)
		slices.Sort(set)
	}
	return rt.Scope + "." + ScopeGeneration(rt.Scope, set)
}
