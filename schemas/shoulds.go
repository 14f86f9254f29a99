package schemas

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
	"golang.org/x/text/language"
)

// SHOULD-level checks: each reports a warning, never an error.

// isLowerHyphen: lower case words joined by hyphens (kill-chain names,
// product names).
func isLowerHyphen(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, ch := range s {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.') {
			return false
		}
	}
	return true
}

func checkKillChainStyle(c *checker, o *fastjson.Object) {
	for _, k := range [...]string{"kill_chain_name", "phase_name"} {
		if v := o.Get(k); v != nil && v.Type() == fastjson.TypeString && !isLowerHyphen(v.GetStringBytes()) {
			c.warnKey(o, k, RuleKillChainStyle, quote(v.GetStringBytes())+" should be lower case with hyphens between words")
		}
	}
}

func checkCountry(c *checker, o *fastjson.Object) {
	v := o.Get("country")
	if v == nil || v.Type() != fastjson.TypeString {
		return
	}
	s := v.GetStringBytes()
	ok := len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
	if ok {
		r, err := language.ParseRegion(string(s))
		ok = err == nil && r.IsCountry()
	}
	if !ok {
		c.warnKey(o, "country", RuleCountry, quote(s)+" should be an ISO 3166-1 alpha-2 country code")
	}
}

func checkProductStyle(c *checker, o *fastjson.Object) {
	if v := o.Get("product"); v != nil && v.Type() == fastjson.TypeString && !isLowerHyphen(v.GetStringBytes()) {
		c.warnKey(o, "product", RulePropertyStyle, quote(v.GetStringBytes())+" should be lower case with hyphens between words")
	}
}

// checkSCOExtensionStyle: cyber-observables should be extended with
// property-extensions (the cti-stix-validator's rule 401).
func (c *checker) checkSCOExtensionStyle(o *fastjson.Object) {
	ext := o.Get("extensions")
	if ext == nil || ext.Type() != fastjson.TypeObject {
		return
	}
	eo, _ := ext.Object()
	eo.Visit(func(k []byte, v *fastjson.Value) {
		if bytes.HasPrefix(k, []byte("extension-definition--")) &&
			string(v.GetStringBytes("extension_type")) == "toplevel-property-extension" {
			c.pushS("extensions")
			c.push(k)
			c.warn(RuleExtensionStyle, "a cyber-observable should be extended with a property-extension, not a toplevel-property-extension")
			c.pop()
			c.pop()
		}
	})
}

// suggestedRelationships is the table of STIX 2.1 section 4 (each SDO's
// "Relationships" list): source type -> relationship type -> target types.
// "#sco" stands for any cyber-observable.
var suggestedRelationships = map[string]map[string][]string{
	"attack-pattern": {"delivers": {"malware"}, "targets": {"identity", "location", "vulnerability"},
		"uses": {"malware", "tool"}},
	"campaign": {"attributed-to": {"intrusion-set", "threat-actor"}, "compromises": {"infrastructure"},
		"originates-from": {"location"}, "targets": {"identity", "location", "vulnerability"},
		"uses": {"attack-pattern", "infrastructure", "malware", "tool"}},
	"course-of-action": {"investigates": {"indicator"},
		"mitigates":  {"attack-pattern", "indicator", "malware", "tool", "vulnerability"},
		"remediates": {"malware", "vulnerability"}},
	"identity": {"located-at": {"location"}},
	"indicator": {"indicates": {"attack-pattern", "campaign", "infrastructure", "intrusion-set", "malware",
		"threat-actor", "tool"}, "based-on": {"observed-data"}},
	"infrastructure": {"communicates-with": {"infrastructure", "ipv4-addr", "ipv6-addr", "domain-name", "url"},
		"consists-of": {"infrastructure", "observed-data", "#sco"}, "controls": {"infrastructure", "malware"},
		"delivers": {"malware"}, "has": {"vulnerability"}, "hosts": {"tool", "malware"},
		"located-at": {"location"}, "uses": {"infrastructure"}},
	"intrusion-set": {"attributed-to": {"threat-actor"}, "compromises": {"infrastructure"},
		"hosts": {"infrastructure"}, "owns": {"infrastructure"}, "originates-from": {"location"},
		"targets": {"identity", "location", "vulnerability"},
		"uses":    {"attack-pattern", "infrastructure", "malware", "tool"}},
	"malware": {"authored-by": {"threat-actor", "intrusion-set"}, "beacons-to": {"infrastructure"},
		"exfiltrates-to": {"infrastructure"}, "communicates-with": {"ipv4-addr", "ipv6-addr", "domain-name", "url"},
		"controls": {"malware"}, "downloads": {"malware", "tool", "file"}, "drops": {"malware", "tool", "file"},
		"exploits": {"vulnerability"}, "originates-from": {"location"},
		"targets": {"identity", "infrastructure", "location", "vulnerability"},
		"uses":    {"attack-pattern", "infrastructure", "malware", "tool"}, "variant-of": {"malware"}},
	"malware-analysis": {"characterizes": {"malware"}, "analysis-of": {"malware"},
		"static-analysis-of": {"malware"}, "dynamic-analysis-of": {"malware"}},
	"threat-actor": {"attributed-to": {"identity"}, "compromises": {"infrastructure"},
		"hosts": {"infrastructure"}, "owns": {"infrastructure"}, "impersonates": {"identity"},
		"located-at": {"location"}, "targets": {"identity", "location", "vulnerability"},
		"uses": {"attack-pattern", "infrastructure", "malware", "tool"}},
	"tool": {"delivers": {"malware"}, "drops": {"malware"}, "has": {"vulnerability"},
		"targets": {"identity", "infrastructure", "location", "vulnerability"}, "uses": {"infrastructure"}},
}

// specRelationshipTypes are the relationship types the specification
// defines somewhere; custom types get no suggestion warnings.
var specRelationshipTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, rels := range suggestedRelationships {
		for r := range rels {
			m[r] = true
		}
	}
	return m
}()

// checkSuggestedRelationship warns when a spec-defined relationship type
// links types the specification does not suggest for it.
func checkSuggestedRelationship(c *checker, o *fastjson.Object) {
	rt := o.Get("relationship_type").GetStringBytes()
	if !specRelationshipTypes[string(rt)] {
		return
	}
	src, _, p1 := splitID(o.Get("source_ref").GetStringBytes())
	dst, _, p2 := splitID(o.Get("target_ref").GetStringBytes())
	if p1.rule != "" || p2.rule != "" {
		return
	}
	rels, known := suggestedRelationships[string(src)]
	if !known {
		if typeSpecs[string(src)] != nil && isSDOTypeStrict(src) {
			c.warnKey(o, "source_ref", RuleRelationshipSuggested, fmt.Sprintf("%q is permitted, but not a suggested relationship type for %s objects", rt, src))
		}
		return
	}
	targets, ok := rels[string(rt)]
	if !ok {
		c.warnKey(o, "source_ref", RuleRelationshipSuggested, fmt.Sprintf("%q is permitted, but not a suggested relationship type for %s objects", rt, src))
		return
	}
	for _, t := range targets {
		if t == string(dst) || (t == "#sco" && isSCOType(dst)) {
			return
		}
	}
	if typeSpecs[string(dst)] == nil {
		return // custom target types: nothing to suggest
	}
	c.warnKey(o, "target_ref", RuleRelationshipSuggested, fmt.Sprintf("%s is not a suggested target of %s %q relationships", article(string(dst)), src, rt))
}

func isSDOTypeStrict(t []byte) bool {
	for _, s := range sdoTypes {
		if string(t) == s {
			return true
		}
	}
	return false
}
