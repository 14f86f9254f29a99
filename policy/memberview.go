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

// MemberView is the MoU as a member's connector gets it for pre-flight
// (the hub's MoU service): YAML that ParseMoU reads, with every member's
// contact withheld and no per-member quota (the hub enforces quotas;
// pre-flight does not), and its version, a hash of that YAML. Everything
// a decision reads stays: members, their types, jurisdictions, sectors,
// communities, identities, relays and suspensions, the communities, rules
// and request rules. Two MoUs that decide alike have the same version,
// whatever their contacts.
func (m *MoU) MemberView() (data []byte, version string, err error) {
	shown := *m
	shown.Members = make([]Member, len(m.Members))
	for i, mb := range m.Members {
		mb.Contact, mb.Quota = withheldContact, Quota{}
		shown.Members[i] = mb
	}
	if data, err = yaml.Marshal(&shown); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:12]), nil
}
