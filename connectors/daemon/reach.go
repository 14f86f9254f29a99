package daemon

import (
	"fmt"

	"github.com/genevahub/geneva/policy/tlp"
)

// Reach is how far beyond the partner a sink's data travels.
type Reach uint8

const (
	ReachOrganization Reach = iota + 1 // the partner's own staff and systems
	ReachClients                       // also the partner's clients / constituents
	ReachCommunity                     // a wider community (an ISAC, a sector)
	ReachPublic                        // anyone
)

var reachNames = map[string]Reach{"organization": ReachOrganization, "clients": ReachClients,
	"community": ReachCommunity, "public": ReachPublic}

// ParseReach reads a sink's declared reach; it is required.
func ParseReach(s string) (Reach, error) {
	if r, ok := reachNames[s]; ok {
		return r, nil
	}
	if s == "" {
		return 0, fmt.Errorf("required (organization, clients, community or public)")
	}
	return 0, fmt.Errorf("%q is not one of organization, clients, community, public", s)
}

func (r Reach) String() string {
	for n, v := range reachNames {
		if v == r {
			return n
		}
	}
	return "invalid"
}

// ReachPermits says whether content at level l may be written to a sink of
// reach r (TLP 2.0): CLEAR anywhere; GREEN not to the public; AMBER to the
// organization and its clients; AMBER+STRICT to the organization only; RED
// only to a sink declared for named individuals. Unmarked or invalid levels
// go nowhere.
func ReachPermits(l tlp.Level, r Reach, namedIndividuals bool) bool {
	switch l {
	case tlp.Clear:
		return r >= ReachOrganization && r <= ReachPublic
	case tlp.Green:
		return r >= ReachOrganization && r <= ReachCommunity
	case tlp.Amber:
		return r == ReachOrganization || r == ReachClients
	case tlp.AmberStrict:
		return r == ReachOrganization
	case tlp.Red:
		return namedIndividuals
	}
	return false
}
