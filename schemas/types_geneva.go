package schemas

import (
	"github.com/valyala/fastjson"
	"golang.org/x/text/language"
)

// Geneva's own object types: a law-enforcement request (preservation,
// information, assistance, takedown) and a response to one. Each is a new
// SDO defined by an extension-definition published in docs/extensions/;
// an object of either type must name its extension-definition in
// extensions with extension_type "new-sdo".
const (
	TypeRequest  = "geneva-request"
	TypeResponse = "geneva-response"

	// ExtensionRequest and ExtensionResponse are the ids of the
	// extension-definitions (docs/extensions/*.json).
	ExtensionRequest  = "extension-definition--d2ab5962-1628-4d31-a356-f4bff250d80c"
	ExtensionResponse = "extension-definition--9c4eb6b0-f105-4a84-9673-9aae1fc364ea"
	// GenevaIdentity is the identity that created them (the Geneva project).
	GenevaIdentity = "identity--8dd1fde9-3779-4231-8b87-1cb56f98f619"

	// MinPreservationDays is Budapest Convention Art. 29(7): a preservation
	// lasts not less than sixty days.
	MinPreservationDays = 60
)

// RequestKinds and ResponseStatuses are the enumerations of request_kind
// and status.
var (
	RequestKinds     = []string{"preservation", "information", "assistance", "takedown"}
	ResponseStatuses = []string{"acknowledged", "extension-requested", "fulfilled", "partially-fulfilled", "declined"}
)

var (
	requestKindEnum    = newVocab("geneva-request-kind-enum", false, RequestKinds...)
	responseStatusEnum = newVocab("geneva-response-status-enum", false, ResponseStatuses...)
)

// requestObservableTypes are what a request may concern: addresses,
// domains, URLs, accounts and files (by hash).
var requestObservableTypes = []string{"ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "user-account", "file"}

// preservationRequired is what Budapest Convention Art. 29(2) asks of a
// preservation request, besides the requesting authority (requesting_unit):
// (b) the offence and a summary of the facts, (c) the data and its relation
// to the offence, (d) its custodian or location, (e) why preservation is
// needed, (f) that a mutual-assistance request will follow.
var preservationRequired = []string{"offence", "facts_summary", "data_to_preserve", "relation_to_offence",
	"custodian", "necessity", "mutual_assistance_to_follow", "preservation_days"}

func init() {
	for _, s := range []*objSpec{
		sdo(TypeRequest, props("request_kind", pVocab(requestKindEnum), "summary", pStrNE(),
			"legal_basis", pStrNE(), "legal_reference", pStrNE(), "requesting_unit", pStrNE(),
			"deadline", pTS(), "observable_refs", pRefs(requestObservableTypes...),
			"window_start", pTS(), "window_end", pTS(), "jurisdiction", pStrNE(),
			"offence", pStrNE(), "facts_summary", pStrNE(), "data_to_preserve", pStrNE(),
			"relation_to_offence", pStrNE(), "custodian", pStrNE(), "necessity", pStrNE(),
			"mutual_assistance_to_follow", pBool(), "preservation_days", pIntR(MinPreservationDays, 36500)),
			[]string{"created_by_ref", "request_kind", "summary", "legal_basis", "legal_reference",
				"requesting_unit", "deadline", "observable_refs", "jurisdiction"}, checkRequest),
		sdo(TypeResponse, props("request_ref", pRef(TypeRequest), "status", pVocab(responseStatusEnum),
			"reason", pStrNE(), "requested_deadline", pTS(), "preserved_until", pTS(),
			"result_refs", pRefs(), "note", pStr()),
			[]string{"created_by_ref", "request_ref", "status"}, checkResponse),
	} {
		typeSpecs[s.name] = s
	}
}

func checkRequest(c *checker, o *fastjson.Object) {
	c.wantExtension(o, ExtensionRequest)
	c.order(o, "window_start", "window_end", false)
	if v := o.Get("jurisdiction"); v != nil && v.Type() == fastjson.TypeString {
		s := v.GetStringBytes()
		r, err := language.ParseRegion(string(s))
		if len(s) != 2 || err != nil || r.String() != string(s) || !r.IsCountry() {
			c.failKey(o, "jurisdiction", RulePropertyValue, quote(s)+" is not an ISO 3166-1 alpha-2 country code (e.g. NO, US, DE)")
		}
	}
	if string(o.Get("request_kind").GetStringBytes()) != "preservation" {
		return
	}
	for _, k := range preservationRequired {
		if o.Get(k) == nil {
			c.failKey(o, k, RulePropertyDepend, k+": required for a preservation request (Budapest Convention Art. 29)")
		}
	}
	if v := o.Get("mutual_assistance_to_follow"); v != nil && v.Type() == fastjson.TypeFalse {
		c.failKey(o, "mutual_assistance_to_follow", RulePropertyValue, "must be true: a preservation request says that a request for mutual assistance will follow (Art. 29(2)(f))")
	}
}

func checkResponse(c *checker, o *fastjson.Object) {
	c.wantExtension(o, ExtensionResponse)
	switch string(o.Get("status").GetStringBytes()) {
	case "declined":
		if o.Get("reason") == nil {
			c.failKey(o, "reason", RulePropertyDepend, "reason: required when status is declined")
		}
	case "extension-requested":
		if o.Get("requested_deadline") == nil {
			c.failKey(o, "requested_deadline", RulePropertyDepend, "requested_deadline: required when status is extension-requested")
		}
	}
}

// wantExtension: an object of one of Geneva's types names its
// extension-definition as a new SDO.
func (c *checker) wantExtension(o *fastjson.Object, id string) {
	if string(o.Get("extensions").GetStringBytes(id, "extension_type")) != "new-sdo" {
		c.failKey(o, "extensions", RulePropertyRequired, "extensions: must hold "+id+` with extension_type "new-sdo"`)
	}
}
