package schemas

// Rule is one entry of the rule catalogue: the stable name every Finding
// carries, its usual severity and a one-line description for the docs.
type Rule struct {
	Name        string
	Severity    Severity
	Description string
}

// Rule names. They are stable: receipts, policy and docs refer to them.
const (
	RuleJSONSyntax       = "json.syntax"
	RuleJSONDuplicateKey = "json.duplicate_key"
	RuleLimitSize        = "limit.size"
	RuleLimitDepth       = "limit.depth"
	RuleLimitObjects     = "limit.objects"

	RuleDocumentRoot      = "document.root"
	RuleBundleProperty    = "bundle.property"
	RuleBundleSpecVersion = "bundle.spec_version"
	RuleObjectType        = "object.type"
	RuleObjectCustom      = "object.custom"
	RulePropertyRequired  = "property.required"
	RulePropertyForbid    = "property.forbidden"
	RulePropertyName      = "property.name"
	RulePropertyReserved  = "property.reserved"
	RulePropertyCustom    = "property.custom"
	RulePropertyType      = "property.type"
	RulePropertyEmpty     = "property.empty"
	RulePropertyValue     = "property.value"
	RulePropertyRange     = "property.range"
	RulePropertyExclude   = "property.exclusive"
	RulePropertyDepend    = "property.dependency"
	RulePropertyDeprec    = "property.deprecated"

	RuleIDFormat      = "id.format"
	RuleIDType        = "id.type"
	RuleIDUUID        = "id.uuid"
	RuleIDUUIDVersion = "id.uuid_version"
	RuleSpecVersion   = "spec_version.value"

	RuleTimestampFormat    = "timestamp.format"
	RuleTimestampDate      = "timestamp.date"
	RuleTimestampPrecision = "timestamp.precision"
	RuleTimestampOrder     = "timestamp.order"

	RuleRefFormat = "ref.format"
	RuleRefType   = "ref.type"
	RuleRefUUID   = "ref.uuid"

	RuleVocabOpen   = "vocab.open"
	RuleVocabClosed = "vocab.closed"

	RuleHashAlgorithm = "hashes.algorithm"
	RuleHashValue     = "hashes.value"
	RuleHashVocab     = "hashes.vocab"

	RuleExtRefSource = "external_reference.source_name"
	RuleExtRefEmpty  = "external_reference.empty"
	RuleExtRefCAPEC  = "external_reference.capec"
	RuleExtRefCVE    = "external_reference.cve"
	RuleExtRefURL    = "external_reference.url"

	RuleKillChain = "kill_chain_phase.value"
	RuleLangTag   = "lang.tag"

	RuleGranularSelector = "granular_marking.selector"
	RuleGranularMarking  = "granular_marking.marking"

	RuleExtensionKey   = "extension.key"
	RuleExtensionType  = "extension.type"
	RuleExtensionValue = "extension.value"
	RuleExtensionName  = "extension.custom_name"

	RuleMarkingDefinition = "marking.definition"
	RuleMarkingTLP1       = "marking.tlp1_fixed"
	RuleMarkingTLP2       = "marking.tlp2"
	RuleMarkingCircular   = "marking.circular"
	RuleMarkingModified   = "marking.modified"

	RulePatternSyntax    = "pattern.syntax"
	RuleRelationshipType = "relationship.type"
	RuleMIMEType         = "mime_type.value"

	RuleKillChainStyle        = "kill_chain_phase.style"
	RuleCountry               = "location.country"
	RulePropertyStyle         = "property.style"
	RuleExtensionStyle        = "extension.style"
	RuleRelationshipSuggested = "relationship.suggested"
	RuleLanguageContent       = "language_content.contents"
)

// Rules is the catalogue, in the order the docs list it.
var Rules = []Rule{
	{RuleJSONSyntax, SeverityError, "the document is not well-formed JSON (RFC 8259, UTF-8, valid escapes)"},
	{RuleJSONDuplicateKey, SeverityError, "a JSON object has the same key twice"},
	{RuleLimitSize, SeverityError, "the document is larger than Limits.MaxBytes"},
	{RuleLimitDepth, SeverityError, "the document nests deeper than Limits.MaxDepth"},
	{RuleLimitObjects, SeverityError, "the bundle holds more than Limits.MaxObjects objects"},
	{RuleDocumentRoot, SeverityError, "the document is neither a bundle nor a single STIX object"},
	{RuleBundleProperty, SeverityError, "a bundle property is missing, malformed or not allowed (spec_version on a bundle)"},
	{RuleBundleSpecVersion, SeverityWarning, "a bundle carries spec_version \"2.1\" (STIX 2.1 bundles have none; harmless)"},
	{RuleObjectType, SeverityError, "an object's type is missing, malformed, reserved, or not an object at all"},
	{RuleObjectCustom, SeverityWarning, "a custom object type not defined through an extension-definition (deprecated in STIX 2.1)"},
	{RulePropertyRequired, SeverityError, "a property the specification requires is missing"},
	{RulePropertyForbid, SeverityError, "a property that this type must not carry is present"},
	{RulePropertyName, SeverityError, "a property name breaks the naming rules (lowercase a-z, 0-9 and _, 3 to 250 characters, starts with a letter)"},
	{RulePropertyReserved, SeverityError, "a reserved property name (severity, action, username, phone_numbers) is used on an SDO, SRO or SCO"},
	{RulePropertyCustom, SeverityWarning, "a custom property outside an extension (deprecated in STIX 2.1)"},
	{RulePropertyType, SeverityError, "a property has the wrong JSON type"},
	{RulePropertyEmpty, SeverityError, "a list, dictionary or string that must not be empty is empty"},
	{RulePropertyValue, SeverityError, "a property value is malformed (IP address, MIME type, base64, hex, URL, e-mail address, CPE ...)"},
	{RulePropertyRange, SeverityError, "a number is outside its allowed range (confidence 0..100, ports 0..65535 ...)"},
	{RulePropertyExclude, SeverityError, "two properties that exclude each other are both present"},
	{RulePropertyDepend, SeverityError, "a property is present without the property it depends on, or neither of a required pair is"},
	{RulePropertyDeprec, SeverityWarning, "a deprecated property or form is used"},
	{RuleIDFormat, SeverityError, "an id is not of the form type--UUID"},
	{RuleIDType, SeverityError, "an id's type prefix differs from the object's type"},
	{RuleIDUUID, SeverityError, "an id's UUID is not an RFC 4122 UUID (variant bits 10, version 1-5)"},
	{RuleIDUUIDVersion, SeverityWarning, "an id's UUID is not version 4 (SDO, SRO, meta objects) or version 5 (SCO) as recommended"},
	{RuleSpecVersion, SeverityError, "spec_version is not \"2.1\""},
	{RuleTimestampFormat, SeverityError, "a timestamp is not of the form YYYY-MM-DDTHH:MM:SS[.s+]Z"},
	{RuleTimestampDate, SeverityError, "a timestamp names a date or time that does not exist (2016-04-31, 2017-02-29, 24:00)"},
	{RuleTimestampPrecision, SeverityError, "created or modified is not precise to at least the millisecond"},
	{RuleTimestampOrder, SeverityError, "two timestamps are in the wrong order (modified before created, valid_until not after valid_from ...)"},
	{RuleRefFormat, SeverityError, "a reference is not an identifier"},
	{RuleRefUUID, SeverityWarning, "a reference's UUID part is malformed or not RFC 4122 (the referenced object's own id is where that is an error)"},
	{RuleRefType, SeverityError, "a reference points to an object type the property does not allow"},
	{RuleVocabOpen, SeverityWarning, "a value is not in the open vocabulary the specification suggests"},
	{RuleVocabClosed, SeverityError, "a value is not one of an enumeration's values"},
	{RuleHashAlgorithm, SeverityError, "a hashes key is not a valid hash algorithm name"},
	{RuleHashValue, SeverityError, "a hash value has the wrong length or is not hex for its algorithm"},
	{RuleHashVocab, SeverityWarning, "a hash algorithm name is not from hash-algorithm-ov (e.g. sha256 instead of SHA-256)"},
	{RuleExtRefSource, SeverityError, "an external reference has no source_name"},
	{RuleExtRefEmpty, SeverityError, "an external reference has none of description, url, external_id"},
	{RuleExtRefCAPEC, SeverityError, "a capec external reference lacks an external_id of the form CAPEC-<n>, or a CAPEC id is used with another source_name"},
	{RuleExtRefCVE, SeverityError, "a cve external reference lacks an external_id of the form CVE-YYYY-NNNN, or a CVE id is used with another source_name"},
	{RuleExtRefURL, SeverityWarning, "an external reference's url is not an absolute URL (e.g. a trailing space)"},
	{RuleKillChain, SeverityError, "a kill-chain phase lacks kill_chain_name or phase_name"},
	{RuleLangTag, SeverityError, "a language tag is not an RFC 5646 tag"},
	{RuleGranularSelector, SeverityError, "a granular marking selector is malformed or does not resolve within the object"},
	{RuleGranularMarking, SeverityError, "a granular marking has neither or both of marking_ref and lang"},
	{RuleExtensionKey, SeverityError, "an extensions key is neither a predefined -ext name nor an extension-definition id"},
	{RuleExtensionType, SeverityError, "an extension's extension_type is missing or not allowed"},
	{RuleExtensionValue, SeverityError, "an extension is not a non-empty dictionary, or a predefined extension's content is invalid"},
	{RuleExtensionName, SeverityWarning, "a custom -ext extension that is not predefined and not an extension-definition (deprecated)"},
	{RuleMarkingDefinition, SeverityError, "a marking definition has neither definition_type/definition nor an extension, or a malformed definition"},
	{RuleMarkingTLP1, SeverityError, "an object uses the id of a predefined TLP 1.0 marking but differs from it"},
	{RuleMarkingTLP2, SeverityError, "a TLP 2.0 marking is malformed or its level does not match its predefined id"},
	{RuleMarkingCircular, SeverityError, "a marking definition references itself in object_marking_refs or granular_markings"},
	{RuleMarkingModified, SeverityWarning, "a marking definition carries modified (marking definitions are not versioned)"},
	{RulePatternSyntax, SeverityError, "an indicator pattern with pattern_type stix is not valid STIX patterning"},
	{RuleMIMEType, SeverityWarning, "a file mime_type is not an IANA media type (artifact mime_type is an error, rule property.value)"},
	{RuleKillChainStyle, SeverityWarning, "kill_chain_name or phase_name is not lower case with hyphens"},
	{RuleCountry, SeverityWarning, "location country is not an ISO 3166-1 alpha-2 code"},
	{RulePropertyStyle, SeverityWarning, "a value the specification wants lower case with hyphens (malware-analysis product) is not"},
	{RuleExtensionStyle, SeverityWarning, "an extension is not used the recommended way (toplevel extension without extension_properties, toplevel extension on an SCO)"},
	{RuleRelationshipSuggested, SeverityWarning, "a spec relationship type links types the specification does not suggest for it"},
	{RuleRelationshipType, SeverityError, "relationship_type is not lower-case a-z 0-9 and hyphens"},
	{RuleLanguageContent, SeverityError, "a language-content contents key is not a language tag or names no property"},
}

// RuleByName returns the catalogue entry for name.
func RuleByName(name string) (Rule, bool) {
	for _, r := range Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}
