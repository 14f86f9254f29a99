package policy

// Reason codes: stable names that never change meaning once released.
// docs/policy.md holds a table generated from Codes (`go test ./policy -update`).
const (
	// The engine and the request.
	CodeNoPolicy          Code = "policy.none"
	CodeSenderUnknown     Code = "sender.unknown"
	CodeSenderSuspended   Code = "sender.suspended"
	CodeSizeBytes         Code = "size.bytes"
	CodeSizeObjects       Code = "size.objects"
	CodeNothingToShare    Code = "bundle.nothing_to_share"
	CodeSubmissionBlocked Code = "bundle.rejected"

	// STIX validity (from package schemas).
	CodeSTIXSyntax   Code = "stix.syntax"
	CodeSTIXEnvelope Code = "stix.envelope"
	CodeSTIXInvalid  Code = "stix.invalid"

	// TLP.
	CodeTLPUnknown            Code = "tlp.unknown"
	CodeTLPConflict           Code = "tlp.conflict"
	CodeTLPDefinitionConflict Code = "tlp.definition_conflict"
	CodeTLPUnmarked           Code = "tlp.unmarked"
	CodeTLPDefaulted          Code = "tlp.defaulted"
	CodeTLPGranular           Code = "tlp.granular"
	CodeTLPRecipientsRequired Code = "tlp.recipients_required"
	CodeMarkingRejected       Code = "marking.rejected"

	// Audiences.
	CodeAudienceUnknownMember    Code = "audience.unknown_member"
	CodeAudienceSuspendedMember  Code = "audience.suspended_member"
	CodeAudienceSender           Code = "audience.sender_named"
	CodeAudienceUnknownCommunity Code = "audience.unknown_community"
	CodeAudienceNotInCommunity   Code = "audience.sender_not_in_community"
	CodeAudienceOutsideCommunity Code = "audience.outside_community"
	CodeAudienceEmpty            Code = "audience.empty"

	// The classified-material guard.
	CodeClassifiedBanner         Code = "classified.banner"
	CodeClassifiedPortionMark    Code = "classified.portion_mark"
	CodeClassifiedStatement      Code = "classified.statement"
	CodeClassifiedACS            Code = "classified.acs"
	CodeClassifiedLabel          Code = "classified.label"
	CodeClassifiedProperty       Code = "classified.property"
	CodeClassifiedGranular       Code = "classified.granular"
	CodeClassifiedMarking        Code = "classified.marking"
	CodeClassifiedUnknownMarking Code = "classified.unknown_marking"

	// Provenance and anonymity.
	CodeProvenanceSpoofed   Code = "provenance.spoofed"
	CodeAnonymousNotAllowed Code = "anonymous.not_allowed"
	CodeAnonymousCreatedBy  Code = "anonymous.created_by_ref"
	CodeAnonymousIdentity   Code = "anonymous.sender_identity"

	// Monotonic markings.
	CodeMonotonicTLP      Code = "monotonic.tlp_lowered"
	CodeMonotonicAudience Code = "monotonic.audience_widened"

	// Personal data.
	CodePersonalDataLEOnly   Code = "personal_data.le_only"
	CodePersonalDataNoLE     Code = "personal_data.no_le_recipient"
	CodePersonalDataRejected Code = "personal_data.rejected"

	// State conduct.
	CodeStateConductReview   Code = "state_conduct.review"
	CodeStateConductRejected Code = "state_conduct.rejected"

	// Supporting objects.
	CodeSupporting             Code = "supporting.included"
	CodeSupportingUnreferenced Code = "supporting.unreferenced"

	// Law-enforcement requests and responses (geneva-request,
	// geneva-response; docs/requests.md).
	CodeRequestSender     Code = "request.sender_not_allowed"
	CodeRequestTLP        Code = "request.tlp_too_low"
	CodeRequestRecipients Code = "request.recipients_required"
)

// CodeInfo describes one reason code for the catalogue.
type CodeInfo struct {
	Code        Code
	Rejects     string // what it rejects: "submission", "object" or "" (informational)
	Description string
}

// Codes is the catalogue: every reason code Decide can give, in
// documentation order.
var Codes = []CodeInfo{
	{CodeNoPolicy, "submission", "the engine has no valid MoU, so nothing is shared (fail closed)"},
	{CodeSenderUnknown, "submission", "the sender is not a member of the partnership"},
	{CodeSenderSuspended, "submission", "the sender is suspended under the MoU"},
	{CodeSizeBytes, "submission", "the submission is larger than the MoU's max_bytes"},
	{CodeSizeObjects, "submission", "the submission holds more objects than the MoU's max_objects"},
	{CodeNothingToShare, "submission", "no object besides supporting objects (marking definitions, the sender's identity) was shared"},
	{CodeSubmissionBlocked, "object", "the object was not shared because a rule rejected the whole submission"},

	{CodeSTIXSyntax, "submission", "the submission is not parseable JSON, or exceeds a parser limit"},
	{CodeSTIXEnvelope, "submission", "the bundle envelope is not valid STIX 2.1, so every object is rejected"},
	{CodeSTIXInvalid, "object", "the object is not valid STIX 2.1 (the message names the validator's rule)"},

	{CodeTLPUnknown, "object", "a marking definition that claims to be TLP has a level the engine does not know"},
	{CodeTLPConflict, "object", "the object carries two different TLP levels in object_marking_refs"},
	{CodeTLPDefinitionConflict, "object", "a marking definition's content contradicts the TLP level of its well-known id"},
	{CodeTLPUnmarked, "object", "the object has no TLP marking and the MoU rejects unmarked content"},
	{CodeTLPDefaulted, "", "the object has no TLP marking and the MoU's default level was applied"},
	{CodeTLPGranular, "", "a granular TLP marking is more restrictive than the object's: the whole object is treated at its most restrictive marking"},
	{CodeTLPRecipientsRequired, "object", "TLP:AMBER+STRICT and TLP:RED are shared only with members named with --to"},
	{CodeMarkingRejected, "object", "the object references a marking definition of the bundle that was rejected, so its marking could not travel with it"},

	{CodeAudienceUnknownMember, "submission", "a member named with --to is not in the MoU"},
	{CodeAudienceSuspendedMember, "submission", "a member named with --to is suspended"},
	{CodeAudienceSender, "submission", "the sender named itself with --to"},
	{CodeAudienceUnknownCommunity, "submission", "the --community is not in the MoU"},
	{CodeAudienceNotInCommunity, "submission", "the sender is not a member of the --community it addressed, and the community's accepts_from does not admit it"},
	{CodeAudienceOutsideCommunity, "submission", "a member named with --to is not in the --community"},
	{CodeAudienceEmpty, "object", "no member but the sender may receive the object"},

	{CodeClassifiedBanner, "submission", "a classification banner line in a text field"},
	{CodeClassifiedPortionMark, "submission", "a classification portion mark, e.g. \"(S)\" or \"(TS//SI)\", in a text field"},
	{CodeClassifiedStatement, "submission", "a statement marking definition that states a classification"},
	{CodeClassifiedACS, "submission", "an ISA ACS 3.0 marking with control_set.classification C, S or TS"},
	{CodeClassifiedLabel, "submission", "a classification in an object's labels"},
	{CodeClassifiedProperty, "submission", "a classification in a custom property"},
	{CodeClassifiedGranular, "submission", "a classification reached through a granular marking"},
	{CodeClassifiedMarking, "submission", "a classification in a marking definition, of a kind not listed above"},
	{CodeClassifiedUnknownMarking, "submission", "a referenced marking definition is neither well known nor in the bundle, so it may be a classification (fail closed)"},

	{CodeProvenanceSpoofed, "object", "created_by_ref is neither the sender's identity nor one the sender may relay for"},
	{CodeAnonymousNotAllowed, "submission", "the sender asked for anonymity and the MoU does not allow anonymous submissions"},
	{CodeAnonymousCreatedBy, "object", "an anonymous submission may not carry created_by_ref"},
	{CodeAnonymousIdentity, "object", "an anonymous submission may not carry the sender's own identity object"},

	{CodeMonotonicTLP, "object", "a later version of an object shared before may not lower its TLP unless it comes from the originator"},
	{CodeMonotonicAudience, "object", "a later version of an object shared before may not widen its audience unless it comes from the originator"},

	{CodePersonalDataLEOnly, "", "the object holds personal data and goes to law-enforcement members only"},
	{CodePersonalDataNoLE, "object", "the object holds personal data and no law-enforcement member is among its recipients"},
	{CodePersonalDataRejected, "object", "the object holds personal data and the MoU rejects personal data"},

	{CodeStateConductReview, "", "the submission attributes activity to a state: held for review by a person at the hub"},
	{CodeStateConductRejected, "object", "the object attributes activity to a state and the MoU rejects such reports"},

	{CodeSupporting, "", "a supporting object (marking definition, the sender's identity) travels with the objects that reference it"},
	{CodeSupportingUnreferenced, "", "a supporting object no shared object references, so it is not sent on its own"},

	{CodeRequestSender, "submission", "the MoU does not let the sender send a request of this kind (requests.senders; preservation: law enforcement only by default)"},
	{CodeRequestTLP, "submission", "a request or response travels at TLP:AMBER+STRICT or RED (requests.min_tlp)"},
	{CodeRequestRecipients, "submission", "a request or response goes to members named with --to"},
}

// Describe returns the catalogue entry of c.
func Describe(c Code) (CodeInfo, bool) {
	for _, ci := range Codes {
		if ci.Code == c {
			return ci, true
		}
	}
	return CodeInfo{}, false
}
