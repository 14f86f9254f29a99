package schemas

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/valyala/fastjson"
)

// sdoCommon are the common properties of SDOs and SROs (STIX 2.1 section 3.2).
var sdoCommon = props(
	"type", prop{kind: kType},
	"spec_version", prop{kind: kSpecVersion},
	"id", prop{kind: kIDSelf},
	"created_by_ref", pRef("identity"),
	"created", prop{kind: kTimestampMillis},
	"modified", prop{kind: kTimestampMillis},
	"revoked", pBool(),
	"labels", pStrs(),
	"confidence", pIntR(0, 100),
	"lang", pLang(),
	"external_references", prop{kind: kExtRefs},
	"object_marking_refs", pRefs("marking-definition"),
	"granular_markings", prop{kind: kGranular},
	"extensions", prop{kind: kExtensions},
)

var sdoRequired = []string{"type", "spec_version", "id", "created", "modified"}

// scoCommon are the common properties of cyber-observable objects.
var scoCommon = props(
	"type", prop{kind: kType},
	"spec_version", prop{kind: kSpecVersion},
	"id", prop{kind: kIDSelf},
	"object_marking_refs", pRefs("marking-definition"),
	"granular_markings", prop{kind: kGranular},
	"defanged", pBool(),
	"extensions", prop{kind: kExtensions},
)

var scoRequired = []string{"type", "id"}

// Custom objects: the common properties, anything else is theirs.
var customSDOSpec = &objSpec{name: "custom object", class: classSDO, props: sdoCommon, required: sdoRequired,
	check: checkCreatedModified}
var customSCOSpec = &objSpec{name: "custom object", class: classSCO, props: scoCommon, required: scoRequired}

var killChainSpec = &objSpec{name: "kill-chain phase",
	props:    props("kill_chain_name", pStrNE(), "phase_name", pStrNE()),
	required: []string{"kill_chain_name", "phase_name"},
	check:    checkKillChainStyle,
}

var extRefSpec = &objSpec{name: "external reference",
	props: props("source_name", pStr(), "description", pStr(), "url", pStr(),
		"hashes", pHashes(), "external_id", pStr()),
	check: checkExtRef,
}

var granularSpec = &objSpec{name: "granular marking",
	props:    props("selectors", pStrs(), "marking_ref", pRef("marking-definition"), "lang", pLang()),
	required: []string{"selectors"},
	check:    checkGranular,
}

// checkCreatedModified: modified MUST be later than or equal to created.
func checkCreatedModified(c *checker, o *fastjson.Object) {
	c.order(o, "created", "modified", false)
}

// order reports when the timestamps first and second are out of order:
// second < first, or second == first when strict. Unparseable ones were
// reported already.
func (c *checker) order(o *fastjson.Object, first, second string, strict bool) {
	a, b := o.Get(first), o.Get(second)
	if a == nil || b == nil {
		return
	}
	as, bs := a.GetStringBytes(), b.GetStringBytes()
	ta, pa := parseTimestamp(as)
	tb, pb := parseTimestamp(bs)
	if pa.rule != "" || pb.rule != "" {
		return
	}
	cmp := tb.compare(ta)
	if cmp > 0 || (cmp == 0 && !strict) {
		return
	}
	rel := "later than or equal to"
	if strict {
		rel = "later than"
	}
	c.pushS(second)
	c.fail(RuleTimestampOrder, fmt.Sprintf("%s must be %s %s %s", quote(bs), rel, first, quote(as)))
	c.pop()
}

var cveID = []byte("CVE-")
var capecID = []byte("CAPEC-")

func isCVEID(s []byte) bool {
	// CVE-YYYY-NNNN with 4 digits starting 0, or 4+ digits not starting 0
	if !bytes.HasPrefix(s, cveID) || len(s) < 13 || s[8] != '-' {
		return false
	}
	if _, ok := digitsN(s[4:8]); !ok {
		return false
	}
	n := s[9:]
	if _, ok := digitsN(n); !ok {
		return false
	}
	return (n[0] == '0' && len(n) == 4) || (n[0] != '0' && len(n) >= 4)
}

func isCAPECID(s []byte) bool {
	if !bytes.HasPrefix(s, capecID) || len(s) == len(capecID) {
		return false
	}
	_, ok := digitsN(s[len(capecID):])
	return ok
}

// checkExtRef: source_name, at least one of description/url/external_id,
// and the capec/cve id forms (STIX 2.1 section 2.5).
func checkExtRef(c *checker, o *fastjson.Object) {
	sn := o.Get("source_name")
	if sn == nil {
		c.failKey(o, "source_name", RuleExtRefSource, "required property is missing")
	}
	if o.Get("description") == nil && o.Get("url") == nil && o.Get("external_id") == nil {
		c.fail(RuleExtRefEmpty, "must have at least one of description, url or external_id")
	}
	if u := o.Get("url"); u != nil && u.Type() == fastjson.TypeString && !isURL(u.GetStringBytes()) {
		// The specification asks nothing of this url (section 2.5), unlike
		// an artifact's, and publishers write ones with trailing spaces.
		c.warnKey(o, "url", RuleExtRefURL, quote(u.GetStringBytes())+" is not an absolute URL (RFC 3986)")
	}
	name := sn.GetStringBytes()
	id := o.Get("external_id").GetStringBytes()
	switch {
	case string(name) == "capec":
		if !isCAPECID(id) {
			c.failKey(o, "external_id", RuleExtRefCAPEC, fmt.Sprintf("%s: a capec reference must have an external_id of the form CAPEC-<number>", quote(id)))
		}
	case string(name) == "cve":
		if !isCVEID(id) {
			c.failKey(o, "external_id", RuleExtRefCVE, fmt.Sprintf("%s: a cve reference must have an external_id of the form CVE-YYYY-NNNN", quote(id)))
		}
	case isCVEID(id):
		c.failKey(o, "source_name", RuleExtRefCVE, fmt.Sprintf("%s: a CVE id must use source_name \"cve\"", quote(name)))
	case isCAPECID(id):
		c.failKey(o, "source_name", RuleExtRefCAPEC, fmt.Sprintf("%s: a CAPEC id must use source_name \"capec\"", quote(name)))
	}
}

// checkGranular: exactly one of marking_ref and lang, and selectors that
// resolve within the object (STIX 2.1 section 7.2.3).
func checkGranular(c *checker, o *fastjson.Object) {
	mr, lang := o.Get("marking_ref"), o.Get("lang")
	switch {
	case mr == nil && lang == nil:
		c.fail(RuleGranularMarking, "must have marking_ref or lang")
	case mr != nil && lang != nil:
		c.fail(RuleGranularMarking, "must not have both marking_ref and lang")
	}
	sel := o.Get("selectors")
	if sel == nil || c.cur == nil {
		return
	}
	arr, _ := sel.Array()
	c.pushS("selectors")
	for i, s := range arr {
		if s.Type() != fastjson.TypeString {
			continue
		}
		c.pushIdx(i)
		if why := resolveSelector(c.cur.o, s.GetStringBytes()); why != "" {
			c.fail(RuleGranularSelector, quote(s.GetStringBytes())+" "+why)
		}
		c.pop()
	}
	c.pop()
}

// resolveSelector walks a selector ("description",
// "external_references.[0].url") from the object root; "" means it resolves.
func resolveSelector(root *fastjson.Object, sel []byte) string {
	if len(sel) == 0 {
		return "is empty"
	}
	var cur *fastjson.Value
	first := true
	for len(sel) > 0 {
		part := sel
		if i := bytes.IndexByte(sel, '.'); i >= 0 {
			part, sel = sel[:i], sel[i+1:]
			if len(sel) == 0 {
				return "ends with '.'"
			}
		} else {
			sel = nil
		}
		if len(part) >= 2 && part[0] == '[' && part[len(part)-1] == ']' {
			if first || cur.Type() != fastjson.TypeArray {
				return "indexes something that is not a list"
			}
			n, err := strconv.Atoi(string(part[1 : len(part)-1]))
			arr, _ := cur.Array()
			if err != nil || n < 0 || n >= len(arr) {
				return fmt.Sprintf("has index %s, which is not in the list", part)
			}
			cur = arr[n]
			continue
		}
		var next *fastjson.Value
		if first {
			next = root.Get(string(part))
		} else if cur.Type() == fastjson.TypeObject {
			o, _ := cur.Object()
			next = o.Get(string(part))
		}
		if next == nil {
			return fmt.Sprintf("does not resolve: the object has no property %q there", part)
		}
		cur, first = next, false
	}
	return ""
}
