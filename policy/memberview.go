package policy

import (
	"crypto/sha256"
	"encoding/hex"

	"go.yaml.in/yaml/v3"
)

// withheldContact stands for every member's 24/7 contact in the member
// view: a desk's phone and e-mail are for the hub's escalations, not for
// every member (an adversary's phishing list), and pre-flight never reads
// them. It passes validation, so the member view is a valid MoU.
var withheldContact = Contact{Desk: "withheld by the hub", Phone: "+00000000", Email: "withheld@hub.invalid", Languages: []string{"und"}}

// MemberView is the MoU as member's connector gets it for pre-flight (the
// hub's MoU service): YAML that ParseMoU reads, with every member's
// contact withheld and no per-member quota (the hub enforces quotas;
// pre-flight does not), and its version, a hash of that YAML. Whether
// another member is suspended, and whose content another member relays,
// are that member's business with the hub, not the partnership's: the
// view shows them only for member itself (its own suspension, the
// identities it may relay for), so its pre-flight refuses everything the
// hub would refuse about its own content, and a recipient's suspension is
// left to the hub's receipt. Everything else a decision reads stays:
// members, their types, jurisdictions, sectors, communities, identities,
// the communities, rules and request rules. Two MoUs that decide alike for
// member have the same version, whatever their contacts.
func (m *MoU) MemberView(member string) (data []byte, version string, err error) {
	shown := *m
	shown.Members = make([]Member, len(m.Members))
	for i, mb := range m.Members {
		mb.Contact, mb.Quota = withheldContact, Quota{}
		if mb.ID != member {
			mb.Suspended, mb.RelayFor = false, nil
		}
		shown.Members[i] = mb
	}
	if data, err = yaml.Marshal(&shown); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:12]), nil
}
