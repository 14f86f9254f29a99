// Package directory is the hub's member directory: a request/reply service
// that tells a member who the other members are and how to reach their 24/7
// points of contact, filtered by jurisdiction, type and sector (I-24/7's
// "find the expert in another country now").
package directory

// Member is one party to the MoU as the directory shows it.
type Member struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`         // law-enforcement, cert, industry, ...
	Jurisdiction string   `json:"jurisdiction"` // ISO 3166-1 alpha-2, e.g. "NO"
	Sectors      []string `json:"sectors"`
	Communities  []string `json:"communities"`
	Contact      Contact  `json:"contact"`
	Identity     string   `json:"identity,omitempty"` // its STIX identity id (created_by_ref)
}

// Contact is a member's 24/7 point of contact.
type Contact struct {
	Desk      string   `json:"desk"` // the desk or role that answers, e.g. "Cybercrime duty officer"
	Phone     string   `json:"phone"`
	Email     string   `json:"email"`
	Languages []string `json:"languages"` // BCP 47 tags, e.g. "en", "nb"
}
