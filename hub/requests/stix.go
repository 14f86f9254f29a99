// Package requests is Geneva's law-enforcement request workflow: requests
// (preservation, information, assistance, takedown) and responses as STIX
// 2.1 objects of Geneva's own types (schemas.TypeRequest,
// schemas.TypeResponse, defined in docs/extensions/), and the state each
// request is in at the hub.
package requests

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Request is a geneva-request object.
type Request struct {
	ID             string    `json:"id"`
	CreatedBy      string    `json:"created_by_ref"`
	Created        time.Time `json:"created"`
	Modified       time.Time `json:"modified,omitzero"` // a later version (extend); zero: Created
	Kind           string    `json:"request_kind"`
	Summary        string    `json:"summary"`
	LegalBasis     string    `json:"legal_basis"`
	LegalReference string    `json:"legal_reference"`
	RequestingUnit string    `json:"requesting_unit"`
	Deadline       time.Time `json:"deadline"`
	ObservableRefs []string  `json:"observable_refs"`
	WindowStart    time.Time `json:"window_start,omitzero"`
	WindowEnd      time.Time `json:"window_end,omitzero"`
	Jurisdiction   string    `json:"jurisdiction"`
	// Budapest Convention Art. 29(2), for a preservation request.
	Offence                  string `json:"offence,omitempty"`
	FactsSummary             string `json:"facts_summary,omitempty"`
	DataToPreserve           string `json:"data_to_preserve,omitempty"`
	RelationToOffence        string `json:"relation_to_offence,omitempty"`
	Custodian                string `json:"custodian,omitempty"`
	Necessity                string `json:"necessity,omitempty"`
	MutualAssistanceToFollow bool   `json:"mutual_assistance_to_follow,omitempty"`
	PreservationDays         int    `json:"preservation_days,omitempty"`
}

// Response is a geneva-response object.
type Response struct {
	ID                string    `json:"id"`
	CreatedBy         string    `json:"created_by_ref"`
	Created           time.Time `json:"created"`
	RequestRef        string    `json:"request_ref"`
	Status            string    `json:"status"`
	Reason            string    `json:"reason,omitempty"`
	RequestedDeadline time.Time `json:"requested_deadline,omitzero"`
	PreservedUntil    time.Time `json:"preserved_until,omitzero"`
	Note              string    `json:"note,omitempty"`
}

// The response statuses.
const (
	StatusAcknowledged       = "acknowledged"
	StatusExtensionRequested = "extension-requested"
	StatusFulfilled          = "fulfilled"
	StatusPartiallyFulfilled = "partially-fulfilled"
	StatusDeclined           = "declined"
)

// stamp is a STIX timestamp with millisecond precision.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// NewID is a fresh STIX id of type typ (UUIDv4).
func NewID(typ string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return typ + "--" + uuid.UUID(b).String()
}

// Version is the request's modified time.
func (r Request) Version() time.Time {
	if r.Modified.IsZero() {
		return r.Created
	}
	return r.Modified
}

// common are the properties every Geneva object carries.
func common(typ, id, createdBy, ext string, created, modified time.Time, level tlp.Level) map[string]any {
	return map[string]any{
		"type": typ, "spec_version": "2.1", "id": id, "created_by_ref": createdBy,
		"created": stamp(created), "modified": stamp(modified),
		"object_marking_refs": []string{tlp.ID(level)},
		"extensions":          map[string]any{ext: map[string]string{"extension_type": "new-sdo"}},
	}
}

// Object is r as a STIX object marked at level.
func (r Request) Object(level tlp.Level) map[string]any {
	o := common(schemas.TypeRequest, r.ID, r.CreatedBy, schemas.ExtensionRequest, r.Created, r.Version(), level)
	put := func(k string, v string) {
		if v != "" {
			o[k] = v
		}
	}
	put("request_kind", r.Kind)
	put("summary", r.Summary)
	put("legal_basis", r.LegalBasis)
	put("legal_reference", r.LegalReference)
	put("requesting_unit", r.RequestingUnit)
	if !r.Deadline.IsZero() {
		o["deadline"] = stamp(r.Deadline)
	}
	put("jurisdiction", r.Jurisdiction)
	o["observable_refs"] = r.ObservableRefs
	if !r.WindowStart.IsZero() {
		o["window_start"] = stamp(r.WindowStart)
	}
	if !r.WindowEnd.IsZero() {
		o["window_end"] = stamp(r.WindowEnd)
	}
	if r.Kind == "preservation" {
		put("offence", r.Offence)
		put("facts_summary", r.FactsSummary)
		put("data_to_preserve", r.DataToPreserve)
		put("relation_to_offence", r.RelationToOffence)
		put("custodian", r.Custodian)
		put("necessity", r.Necessity)
		o["mutual_assistance_to_follow"] = r.MutualAssistanceToFollow
		o["preservation_days"] = r.PreservationDays
	}
	return o
}

// Object is r as a STIX object marked at level.
func (r Response) Object(level tlp.Level) map[string]any {
	o := common(schemas.TypeResponse, r.ID, r.CreatedBy, schemas.ExtensionResponse, r.Created, r.Created, level)
	o["request_ref"], o["status"] = r.RequestRef, r.Status
	if r.Reason != "" {
		o["reason"] = r.Reason
	}
	if r.Note != "" {
		o["note"] = r.Note
	}
	if !r.RequestedDeadline.IsZero() {
		o["requested_deadline"] = stamp(r.RequestedDeadline)
	}
	if !r.PreservedUntil.IsZero() {
		o["preserved_until"] = stamp(r.PreservedUntil)
	}
	return o
}

// stixNamespace is the UUIDv5 namespace STIX 2.1 gives for SCO ids.
var stixNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// Observable builds the SCO for "TYPE:VALUE" (ipv4-addr, ipv6-addr,
// domain-name, url, email-addr, user-account:USER_ID, file:SHA-256), marked
// at level, with the deterministic id STIX 2.1 asks for.
func Observable(spec string, level tlp.Level) (map[string]any, error) {
	typ, value, ok := strings.Cut(spec, ":")
	if !ok || value == "" {
		return nil, fmt.Errorf("observable %q: want TYPE:VALUE (e.g. ipv4-addr:198.51.100.7)", spec)
	}
	var idProps map[string]any
	switch typ {
	case "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr":
		idProps = map[string]any{"value": value}
	case "user-account":
		idProps = map[string]any{"user_id": value}
	case "file":
		idProps = map[string]any{"hashes": map[string]string{"SHA-256": strings.ToLower(value)}}
	default:
		return nil, fmt.Errorf("observable %q: type %q is not one a request may name (ipv4-addr, ipv6-addr, domain-name, url, email-addr, user-account, file)", spec, typ)
	}
	canon, _ := json.Marshal(idProps)
	o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--" + uuid.NewSHA1(stixNamespace, canon).String(),
		"object_marking_refs": []string{tlp.ID(level)}}
	for k, v := range idProps {
		o[k] = v
	}
	return o, nil
}

// Bundle wraps objects in a STIX bundle with a fresh id.
func Bundle(objects ...map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{"type": "bundle", "id": NewID("bundle"), "objects": objects})
}

// Found are the requests and responses of one bundle.
type Found struct {
	Requests  []Request
	Responses []Response
}

// Find parses the geneva-request and geneva-response objects of a bundle
// (a bundle the policy engine accepted, so they are valid).
func Find(bundle []byte) (Found, error) {
	var doc struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &doc); err != nil {
		return Found{}, fmt.Errorf("requests: %w", err)
	}
	var f Found
	for i, raw := range doc.Objects {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return Found{}, fmt.Errorf("requests: /objects/%d: %w", i, err)
		}
		switch head.Type {
		case schemas.TypeRequest:
			var r Request
			if err := json.Unmarshal(raw, &r); err != nil {
				return Found{}, fmt.Errorf("requests: /objects/%d: %w", i, err)
			}
			f.Requests = append(f.Requests, r)
		case schemas.TypeResponse:
			var r Response
			if err := json.Unmarshal(raw, &r); err != nil {
				return Found{}, fmt.Errorf("requests: /objects/%d: %w", i, err)
			}
			f.Responses = append(f.Responses, r)
		}
	}
	return f, nil
}

// EscalationNote is the STIX note the hub sends a requester when a
// recipient did not acknowledge its request in time.
func EscalationNote(s State, text string, at time.Time) ([]byte, error) {
	level, err := tlp.ParseLevel(s.TLP)
	if err != nil {
		return nil, fmt.Errorf("requests: %s: %w", s.Key(), err)
	}
	return Bundle(map[string]any{"type": "note", "spec_version": "2.1", "id": NewID("note"),
		"created": stamp(at), "modified": stamp(at), "abstract": "Request escalated: not acknowledged in time",
		"content": text, "object_refs": []string{s.Request}, "object_marking_refs": []string{tlp.ID(level)}})
}
