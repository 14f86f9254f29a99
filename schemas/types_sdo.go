package schemas

import (
	"unsafe"

	"github.com/valyala/fastjson"
)

// sdo builds the spec of an SDO or SRO from its own properties.
func sdo(name string, own map[string]*prop, required []string, check func(*checker, *fastjson.Object)) *objSpec {
	return &objSpec{name: name, class: classSDO, props: withCommon(own, sdoCommon),
		required: append(append([]string{}, sdoRequired...), required...),
		check: func(c *checker, o *fastjson.Object) {
			checkCreatedModified(c, o)
			if check != nil {
				check(c, o)
			}
		}}
}

// seenOrder: last_seen MUST be later than or equal to first_seen.
func seenOrder(c *checker, o *fastjson.Object) { c.order(o, "first_seen", "last_seen", false) }

// sdoTypes are the 19 STIX Domain Objects of STIX 2.1 section 4.
var sdoTypes = []string{"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
	"indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note",
	"observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability"}

func sdoSpecs() []*objSpec {
	return []*objSpec{
		sdo("attack-pattern", props("name", pStr(), "description", pStr(), "aliases", pStrs(),
			"kill_chain_phases", pKillChains()), []string{"name"}, nil),
		sdo("campaign", props("name", pStr(), "description", pStr(), "aliases", pStrs(),
			"first_seen", pTS(), "last_seen", pTS(), "objective", pStr()), []string{"name"}, seenOrder),
		sdo("course-of-action", props("name", pStr(), "description", pStr()), []string{"name"}, nil),
		sdo("grouping", props("name", pStr(), "description", pStr(), "context", pVocab(groupingContextOV),
			"object_refs", pRefs()), []string{"context", "object_refs"}, nil),
		sdo("identity", props("name", pStr(), "description", pStr(), "roles", pStrs(),
			"identity_class", pVocab(identityClassOV), "sectors", pVocabs(industrySectorOV),
			"contact_information", pStr()), []string{"name"}, nil),
		sdo("incident", props("name", pStr(), "description", pStr(), "kill_chain_phases", pKillChains()),
			[]string{"name"}, nil),
		sdo("indicator", props("name", pStr(), "description", pStr(), "indicator_types", pVocabs(indicatorTypeOV),
			"pattern", pStr(), "pattern_type", pVocab(patternTypeOV), "pattern_version", pStr(),
			"valid_from", pTS(), "valid_until", pTS(), "kill_chain_phases", pKillChains()),
			[]string{"pattern", "pattern_type", "valid_from"}, checkIndicator),
		sdo("infrastructure", props("name", pStr(), "description", pStr(),
			"infrastructure_types", pVocabs(infrastructureTypeOV), "aliases", pStrs(),
			"kill_chain_phases", pKillChains(), "first_seen", pTS(), "last_seen", pTS()),
			[]string{"name"}, seenOrder),
		sdo("intrusion-set", props("name", pStr(), "description", pStr(), "aliases", pStrs(),
			"first_seen", pTS(), "last_seen", pTS(), "goals", pStrs(),
			"resource_level", pVocab(attackResourceLevelOV), "primary_motivation", pVocab(attackMotivationOV),
			"secondary_motivations", pVocabs(attackMotivationOV)), []string{"name"}, seenOrder),
		sdo("location", props("name", pStr(), "description", pStr(), "latitude", pNumR(-90, 90),
			"longitude", pNumR(-180, 180), "precision", pNumR(0, 1e308), "region", pVocab(regionOV),
			"country", pStr(), "administrative_area", pStr(), "city", pStr(), "street_address", pStr(),
			"postal_code", pStr()), nil, func(c *checker, o *fastjson.Object) { checkLocation(c, o); checkCountry(c, o) }),
		sdo("malware", props("name", pStr(), "description", pStr(), "malware_types", pVocabs(malwareTypeOV),
			"is_family", pBool(), "aliases", pStrs(), "kill_chain_phases", pKillChains(),
			"first_seen", pTS(), "last_seen", pTS(), "operating_system_refs", pRefs("software"),
			"architecture_execution_envs", pVocabs(processorArchitectureOV),
			"implementation_languages", pVocabs(implementationLanguageOV),
			"capabilities", pVocabs(malwareCapabilitiesOV), "sample_refs", pRefs("file", "artifact")),
			[]string{"is_family"}, checkMalware),
		sdo("malware-analysis", props("product", pStr(), "version", pStr(), "host_vm_ref", pRef("software"),
			"operating_system_ref", pRef("software"), "installed_software_refs", pRefs("software"),
			"configuration_version", pStr(), "modules", pStrs(), "analysis_engine_version", pStr(),
			"analysis_definition_version", pStr(), "submitted", pTS(), "analysis_started", pTS(),
			"analysis_ended", pTS(), "result_name", pStr(), "result", pVocab(malwareResultOV),
			"analysis_sco_refs", pRefs("#sco"), "sample_ref", pRef("file", "network-traffic", "artifact")),
			[]string{"product"}, checkMalwareAnalysis),
		sdo("note", props("abstract", pStr(), "content", pStr(), "authors", pStrs(), "object_refs", pRefs()),
			[]string{"content", "object_refs"}, nil),
		sdo("observed-data", props("first_observed", pTS(), "last_observed", pTS(),
			"number_observed", pIntR(1, 999999999), "objects", prop{kind: kContainer},
			"object_refs", prop{kind: kRefList, refDeny: sdoTypes}),
			[]string{"first_observed", "last_observed", "number_observed"}, checkObservedData),
		sdo("opinion", props("explanation", pStr(), "authors", pStrs(), "opinion", pVocab(opinionEnum),
			"object_refs", pRefs()), []string{"opinion", "object_refs"}, nil),
		sdo("report", props("name", pStr(), "description", pStr(), "report_types", pVocabs(reportTypeOV),
			"published", pTS(), "object_refs", pRefs()), []string{"name", "published", "object_refs"}, nil),
		sdo("threat-actor", props("name", pStr(), "description", pStr(),
			"threat_actor_types", pVocabs(threatActorTypeOV), "aliases", pStrs(), "first_seen", pTS(),
			"last_seen", pTS(), "roles", pVocabs(threatActorRoleOV), "goals", pStrs(),
			"sophistication", pVocab(threatActorSophisticationOV), "resource_level", pVocab(attackResourceLevelOV),
			"primary_motivation", pVocab(attackMotivationOV), "secondary_motivations", pVocabs(attackMotivationOV),
			"personal_motivations", pVocabs(attackMotivationOV)), []string{"name"}, seenOrder),
		sdo("tool", props("name", pStr(), "description", pStr(), "tool_types", pVocabs(toolTypeOV),
			"aliases", pStrs(), "kill_chain_phases", pKillChains(), "tool_version", pStr()),
			[]string{"name"}, nil),
		sdo("vulnerability", props("name", pStr(), "description", pStr()), []string{"name"}, nil),
	}
}

// checkIndicator: valid_until after valid_from, and a stix pattern that
// parses (STIX 2.1 section 4.7, 9).
func checkIndicator(c *checker, o *fastjson.Object) {
	c.order(o, "valid_from", "valid_until", true)
	if string(o.Get("pattern_type").GetStringBytes()) != "stix" {
		return
	}
	pv := o.Get("pattern")
	if pv == nil || pv.Type() != fastjson.TypeString || parsePattern == nil {
		return
	}
	// The parser's result is dropped before the document's memory can be
	// reused, so the pattern need not be copied out of it.
	pb := pv.GetStringBytes()
	if len(pb) == 0 {
		c.pushS("pattern")
		c.fail(RulePatternSyntax, "must not be empty")
		c.pop()
		return
	}
	if off, msg, bad := parsePattern(unsafe.String(&pb[0], len(pb))); bad {
		c.pushS("pattern")
		c.fail(RulePatternSyntax, quote(pv.GetStringBytes())+" "+formatPatternError(off, msg))
		c.pop()
	}
}

func checkLocation(c *checker, o *fastjson.Object) {
	lat, lon := o.Get("latitude"), o.Get("longitude")
	if o.Get("region") == nil && o.Get("country") == nil && (lat == nil || lon == nil) {
		c.fail(RulePropertyDepend, "a location must have region, country, or latitude and longitude")
	}
	if (lat == nil) != (lon == nil) {
		c.fail(RulePropertyDepend, "latitude and longitude must be given together")
	}
	if o.Get("precision") != nil && (lat == nil || lon == nil) {
		c.failKey(o, "precision", RulePropertyDepend, "must not be present without latitude and longitude")
	}
}

func checkMalware(c *checker, o *fastjson.Object) {
	seenOrder(c, o)
	if f := o.Get("is_family"); f != nil && f.Type() == fastjson.TypeTrue && o.Get("name") == nil {
		c.failKey(o, "name", RulePropertyRequired, "required property is missing (is_family is true)")
	}
}

func checkMalwareAnalysis(c *checker, o *fastjson.Object) {
	checkProductStyle(c, o)
	if o.Get("result") == nil && o.Get("analysis_sco_refs") == nil {
		c.fail(RulePropertyDepend, "a malware-analysis must have result or analysis_sco_refs")
	}
	c.order(o, "analysis_started", "analysis_ended", false)
}

func checkObservedData(c *checker, o *fastjson.Object) {
	c.order(o, "first_observed", "last_observed", false)
	objs, refs := o.Get("objects"), o.Get("object_refs")
	switch {
	case objs == nil && refs == nil:
		c.fail(RulePropertyDepend, "an observed-data must have object_refs (or the deprecated objects)")
	case objs != nil && refs != nil:
		c.failKey(o, "objects", RulePropertyExclude, "must not be present together with object_refs")
	case objs != nil:
		c.warnKey(o, "objects", RulePropertyDeprec, "is deprecated in STIX 2.1; use object_refs")
	}
}
