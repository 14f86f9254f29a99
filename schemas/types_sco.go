package schemas

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
)

// sco builds the spec of a cyber-observable object.
func sco(name string, own map[string]*prop, required []string, exts map[string]*objSpec, check func(*checker, *fastjson.Object)) *objSpec {
	return &objSpec{name: name, class: classSCO, props: withCommon(own, scoCommon),
		required: append(append([]string{}, scoRequired...), required...), exts: exts, check: check}
}

func sub(name string, own map[string]*prop, required []string, check func(*checker, *fastjson.Object)) *objSpec {
	return &objSpec{name: name, props: own, required: required, check: check}
}

var addrRefs = []string{"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"}

func scoSpecs() []*objSpec {
	mimePart := sub("mime part", props("body", pStr(), "body_raw_ref", pRef("artifact", "file"),
		"content_type", pStr(), "content_disposition", pStr()), nil, func(c *checker, o *fastjson.Object) {
		if (o.Get("body") == nil) == (o.Get("body_raw_ref") == nil) {
			c.fail(RulePropertyExclude, "a mime part must have exactly one of body and body_raw_ref")
		}
	})
	ntfsADS := sub("alternate data stream", props("name", pStr(), "hashes", pHashes(), "size", pIntR(0, 1<<63)),
		[]string{"name"}, nil)
	peSection := sub("windows pe section", props("name", pStr(), "size", pIntR(0, 1<<63), "entropy", pNumR(-1e308, 1e308),
		"hashes", pHashes()), []string{"name"}, nil)
	peOptional := sub("windows pe optional header", props(
		"magic_hex", pHex(), "major_linker_version", pInt(), "minor_linker_version", pInt(),
		"size_of_code", pIntR(0, 1<<63), "size_of_initialized_data", pIntR(0, 1<<63),
		"size_of_uninitialized_data", pIntR(0, 1<<63), "address_of_entry_point", pInt(), "base_of_code", pInt(),
		"base_of_data", pInt(), "image_base", pInt(), "section_alignment", pInt(), "file_alignment", pInt(),
		"major_os_version", pInt(), "minor_os_version", pInt(), "major_image_version", pInt(),
		"minor_image_version", pInt(), "major_subsystem_version", pInt(), "minor_subsystem_version", pInt(),
		"win32_version_value_hex", pHex(), "size_of_image", pIntR(0, 1<<63), "size_of_headers", pIntR(0, 1<<63),
		"checksum_hex", pHex(), "subsystem_hex", pHex(), "dll_characteristics_hex", pHex(),
		"size_of_stack_reserve", pIntR(0, 1<<63), "size_of_stack_commit", pIntR(0, 1<<63),
		"size_of_heap_reserve", pIntR(0, 1<<63), "size_of_heap_commit", pIntR(0, 1<<63),
		"loader_flags_hex", pHex(), "number_of_rva_and_sizes", pInt(), "hashes", pHashes()), nil, nil)
	fileExts := map[string]*objSpec{
		"ntfs-ext": sub("ntfs-ext", props("sid", pStr(), "alternate_data_streams", pObjs(ntfsADS)), nil, atLeastOne),
		"raster-image-ext": sub("raster-image-ext", props("image_height", pInt(), "image_width", pInt(),
			"bits_per_pixel", pInt(), "exif_tags", pDict()), nil, atLeastOne),
		"pdf-ext": sub("pdf-ext", props("version", pStr(), "is_optimized", pBool(), "document_info_dict", pDict(),
			"pdfid0", pStr(), "pdfid1", pStr()), nil, atLeastOne),
		"archive-ext": sub("archive-ext", props("contains_refs", pRefs("file", "directory"), "comment", pStr()),
			[]string{"contains_refs"}, nil),
		"windows-pebinary-ext": sub("windows-pebinary-ext", props("pe_type", pVocab(windowsPEBinaryOV),
			"imphash", pStr(), "machine_hex", pHex(), "number_of_sections", pIntR(0, 1<<63),
			"time_date_stamp", pTS(), "pointer_to_symbol_table_hex", pHex(), "number_of_symbols", pIntR(0, 1<<63),
			"size_of_optional_header", pIntR(0, 1<<63), "characteristics_hex", pHex(),
			"file_header_hashes", pHashes(), "optional_header", pObj(peOptional), "sections", pObjs(peSection)),
			[]string{"pe_type"}, nil),
	}
	trafficExts := map[string]*objSpec{
		"http-request-ext": sub("http-request-ext", props("request_method", pStr(), "request_value", pStr(),
			"request_version", pStr(), "request_header", pDict(), "message_body_length", pIntR(0, 1<<63),
			"message_body_data_ref", pRef("artifact")), []string{"request_method", "request_value"}, nil),
		"icmp-ext": sub("icmp-ext", props("icmp_type_hex", pHex(), "icmp_code_hex", pHex()),
			[]string{"icmp_type_hex", "icmp_code_hex"}, nil),
		"socket-ext": sub("socket-ext", props("address_family", pVocab(networkSocketAddressFamilyEnum),
			"is_blocking", pBool(), "is_listening", pBool(), "options", pDict(),
			"socket_type", pVocab(networkSocketTypeEnum), "socket_descriptor", pIntR(0, 1<<63),
			"socket_handle", pInt()), []string{"address_family"}, nil),
		"tcp-ext": sub("tcp-ext", props("src_flags_hex", pHex(), "dst_flags_hex", pHex()), nil, atLeastOne),
	}
	processExts := map[string]*objSpec{
		"windows-process-ext": sub("windows-process-ext", props("aslr_enabled", pBool(), "dep_enabled", pBool(),
			"priority", pStr(), "owner_sid", pStr(), "window_title", pStr(), "startup_info", pDict(),
			"integrity_level", pVocab(windowsIntegrityLevelEnum)), nil, atLeastOne),
		"windows-service-ext": sub("windows-service-ext", props("service_name", pStr(), "descriptions", pStrs(),
			"display_name", pStr(), "group_name", pStr(), "start_type", pVocab(windowsServiceStartTypeEnum),
			"service_dll_refs", pRefs("file"), "service_type", pVocab(windowsServiceTypeEnum),
			"service_status", pVocab(windowsServiceStatusEnum)), nil, atLeastOne),
	}
	accountExts := map[string]*objSpec{
		"unix-account-ext": sub("unix-account-ext", props("gid", pInt(), "groups", pStrs(), "home_dir", pStr(),
			"shell", pStr()), nil, atLeastOne),
	}
	registryValue := sub("windows registry value", props("name", pStr(), "data", pStr(),
		"data_type", pVocab(windowsRegistryDatatypeEnum)), nil, nil)
	x509Ext := sub("x509 v3 extensions", props("basic_constraints", pStr(), "name_constraints", pStr(),
		"policy_constraints", pStr(), "key_usage", pStr(), "extended_key_usage", pStr(),
		"subject_key_identifier", pStr(), "authority_key_identifier", pStr(), "subject_alternative_name", pStr(),
		"issuer_alternative_name", pStr(), "subject_directory_attributes", pStr(), "crl_distribution_points", pStr(),
		"inhibit_any_policy", pStr(), "private_key_usage_period_not_before", pTS(),
		"private_key_usage_period_not_after", pTS(), "certificate_policies", pStr(), "policy_mappings", pStr()),
		nil, nil)

	return []*objSpec{
		sco("artifact", props("mime_type", pStr(), "payload_bin", pBin(), "url", pURL(), "hashes", pHashes(),
			"encryption_algorithm", pVocab(encryptionAlgorithmEnum), "decryption_key", pStr()), nil, nil, checkArtifact),
		sco("autonomous-system", props("number", pIntR(0, 1<<32-1), "name", pStr(), "rir", pStr()),
			[]string{"number"}, nil, nil),
		sco("directory", props("path", pStr(), "path_enc", pCharset(), "ctime", pTS(), "mtime", pTS(), "atime", pTS(),
			"contains_refs", pRefs("file", "directory")), []string{"path"}, nil, nil),
		sco("domain-name", props("value", pStrNE(), "resolves_to_refs", pRefs("ipv4-addr", "ipv6-addr", "domain-name")),
			[]string{"value"}, nil, nil),
		sco("email-addr", props("value", pStr(), "display_name", pStr(), "belongs_to_ref", pRef("user-account")),
			[]string{"value"}, nil, checkEmailAddr),
		sco("email-message", props("is_multipart", pBool(), "date", pTS(), "content_type", pStr(),
			"from_ref", pRef("email-addr"), "sender_ref", pRef("email-addr"), "to_refs", pRefs("email-addr"),
			"cc_refs", pRefs("email-addr"), "bcc_refs", pRefs("email-addr"), "message_id", pStr(),
			"subject", pStr(), "received_lines", pStrs(), "additional_header_fields", pDict(), "body", pStr(),
			"body_multipart", pObjs(mimePart), "raw_email_ref", pRef("artifact")),
			[]string{"is_multipart"}, nil, checkEmailMessage),
		sco("file", props("hashes", pHashes(), "size", pIntR(0, 1<<63), "name", pStr(), "name_enc", pCharset(),
			"magic_number_hex", pHex(), "mime_type", pStr(), "ctime", pTS(), "mtime", pTS(), "atime", pTS(),
			"parent_directory_ref", pRef("directory"), "contains_refs", pRefs("#sco"),
			"content_ref", pRef("artifact")), nil, fileExts, checkFile),
		sco("ipv4-addr", props("value", pStr(), "resolves_to_refs", pRefs("mac-addr"),
			"belongs_to_refs", pRefs("autonomous-system")), []string{"value"}, nil, ipCheck(false)),
		sco("ipv6-addr", props("value", pStr(), "resolves_to_refs", pRefs("mac-addr"),
			"belongs_to_refs", pRefs("autonomous-system")), []string{"value"}, nil, ipCheck(true)),
		sco("mac-addr", props("value", pStr()), []string{"value"}, nil, checkMAC),
		sco("mutex", props("name", pStr()), []string{"name"}, nil, nil),
		sco("network-traffic", props("start", pTS(), "end", pTS(), "is_active", pBool(),
			"src_ref", prop{kind: kRef, refTypes: addrRefs}, "dst_ref", prop{kind: kRef, refTypes: addrRefs},
			"src_port", pIntR(0, 65535), "dst_port", pIntR(0, 65535), "protocols", pStrs(),
			"src_byte_count", pIntR(0, 1<<63), "dst_byte_count", pIntR(0, 1<<63),
			"src_packets", pIntR(0, 1<<63), "dst_packets", pIntR(0, 1<<63), "ipfix", pDict(),
			"src_payload_ref", pRef("artifact"), "dst_payload_ref", pRef("artifact"),
			"encapsulates_refs", pRefs("network-traffic"), "encapsulated_by_ref", pRef("network-traffic")),
			[]string{"protocols"}, trafficExts, checkNetworkTraffic),
		sco("process", props("is_hidden", pBool(), "pid", pInt(), "created_time", pTS(), "cwd", pStr(),
			"command_line", pStr(), "environment_variables", pDict(),
			"opened_connection_refs", pRefs("network-traffic"), "creator_user_ref", pRef("user-account"),
			"image_ref", pRef("file"), "parent_ref", pRef("process"), "child_refs", pRefs("process")),
			nil, processExts, nil),
		sco("software", props("name", pStr(), "cpe", pStr(), "swid", pStr(), "languages", prop{kind: kStringList},
			"vendor", pStr(), "version", pStr()), []string{"name"}, nil, checkSoftware),
		sco("url", props("value", pStr()), []string{"value"}, nil, checkURLValue),
		sco("user-account", props("user_id", pStr(), "credential", pStr(), "account_login", pStr(),
			"account_type", pVocab(accountTypeOV), "display_name", pStr(), "is_service_account", pBool(),
			"is_privileged", pBool(), "can_escalate_privs", pBool(), "is_disabled", pBool(),
			"account_created", pTS(), "account_expires", pTS(), "credential_last_changed", pTS(),
			"account_first_login", pTS(), "account_last_login", pTS()), nil, accountExts, nil),
		sco("windows-registry-key", props("key", pStr(), "values", pObjs(registryValue), "modified_time", pTS(),
			"creator_user_ref", pRef("user-account"), "number_of_subkeys", pIntR(0, 1<<63)), nil, nil, checkRegistryKey),
		sco("x509-certificate", props("is_self_signed", pBool(), "hashes", pHashes(), "version", pStr(),
			"serial_number", pStr(), "signature_algorithm", pStr(), "issuer", pStr(),
			"validity_not_before", pTS(), "validity_not_after", pTS(), "subject", pStr(),
			"subject_public_key_algorithm", pStr(), "subject_public_key_modulus", pStr(),
			"subject_public_key_exponent", pIntR(0, 1<<63), "x509_v3_extensions", pObj(x509Ext)),
			nil, nil, checkX509),
	}
}

// atLeastOne: an extension or observable with only optional properties
// must still have one.
func atLeastOne(c *checker, o *fastjson.Object) {
	if o.Len() == 0 {
		c.fail(RulePropertyEmpty, "must have at least one property")
	}
}

func checkArtifact(c *checker, o *fastjson.Object) {
	pb, u := o.Get("payload_bin"), o.Get("url")
	switch {
	case pb != nil && u != nil:
		c.fail(RulePropertyExclude, "an artifact must not have both payload_bin and url")
	case pb == nil && u == nil:
		c.fail(RulePropertyDepend, "an artifact must have payload_bin or url")
	case u != nil && o.Get("hashes") == nil:
		c.failKey(o, "hashes", RulePropertyDepend, "required property is missing (url is present)")
	}
	if o.Get("decryption_key") != nil && o.Get("encryption_algorithm") == nil {
		c.failKey(o, "decryption_key", RulePropertyDepend, "must not be present without encryption_algorithm")
	}
	if v := o.Get("mime_type"); v != nil && v.Type() == fastjson.TypeString && !isMIMEType(v.GetStringBytes()) {
		c.failKey(o, "mime_type", RulePropertyValue, quote(v.GetStringBytes())+" is not an IANA media type (type/subtype)")
	}
}

// checkMIME: file.mime_type SHOULD be an IANA media type (a warning).
func checkMIME(c *checker, o *fastjson.Object, key string) {
	if v := o.Get(key); v != nil && v.Type() == fastjson.TypeString && !isMIMEType(v.GetStringBytes()) {
		c.warnKey(o, key, RuleMIMEType, quote(v.GetStringBytes())+" is not an IANA media type (type/subtype)")
	}
}

func checkEmailAddr(c *checker, o *fastjson.Object) {
	if v := o.Get("value"); v != nil && v.Type() == fastjson.TypeString && !isEmailAddr(v.GetStringBytes()) {
		c.failKey(o, "value", RulePropertyValue, quote(v.GetStringBytes())+" is not an e-mail address")
	}
}

func checkEmailMessage(c *checker, o *fastjson.Object) {
	mp := o.Get("is_multipart")
	if mp == nil {
		return
	}
	multi := mp.Type() == fastjson.TypeTrue
	if multi && o.Get("body") != nil {
		c.failKey(o, "body", RulePropertyExclude, "must not be present when is_multipart is true")
	}
	if !multi && o.Get("body_multipart") != nil {
		c.failKey(o, "body_multipart", RulePropertyExclude, "must not be present when is_multipart is false")
	}
}

func checkFile(c *checker, o *fastjson.Object) {
	if o.Get("hashes") == nil && o.Get("name") == nil {
		c.fail(RulePropertyDepend, "a file must have hashes or name")
	}
	checkMIME(c, o, "mime_type")
}

func ipCheck(v6 bool) func(*checker, *fastjson.Object) {
	what := "an IPv4 address or CIDR block"
	if v6 {
		what = "an IPv6 address or CIDR block"
	}
	return func(c *checker, o *fastjson.Object) {
		if v := o.Get("value"); v != nil && v.Type() == fastjson.TypeString && !ipWithPrefix(v.GetStringBytes(), v6) {
			c.failKey(o, "value", RulePropertyValue, quote(v.GetStringBytes())+" is not "+what)
		}
	}
}

func checkMAC(c *checker, o *fastjson.Object) {
	if v := o.Get("value"); v != nil && v.Type() == fastjson.TypeString && !isMAC(v.GetStringBytes()) {
		c.failKey(o, "value", RulePropertyValue, quote(v.GetStringBytes())+" is not a MAC address (six colon-separated lower-case hex octets)")
	}
}

func checkNetworkTraffic(c *checker, o *fastjson.Object) {
	if o.Get("src_ref") == nil && o.Get("dst_ref") == nil {
		c.fail(RulePropertyDepend, "a network-traffic must have src_ref or dst_ref")
	}
	if a := o.Get("is_active"); a != nil && a.Type() == fastjson.TypeTrue && o.Get("end") != nil {
		c.failKey(o, "end", RulePropertyExclude, "must not be present when is_active is true")
	}
	c.order(o, "start", "end", false)
}

func checkSoftware(c *checker, o *fastjson.Object) {
	if v := o.Get("cpe"); v != nil && v.Type() == fastjson.TypeString && !isCPE23(v.GetStringBytes()) {
		c.failKey(o, "cpe", RulePropertyValue, quote(v.GetStringBytes())+" is not a CPE 2.3 formatted string")
	}
	if l := o.Get("languages"); l != nil {
		arr, _ := l.Array()
		for i, e := range arr {
			if e.Type() == fastjson.TypeString && !isSoftwareLanguage(e.GetStringBytes()) {
				c.pushS("languages")
				c.pushIdx(i)
				c.fail(RuleLangTag, quote(e.GetStringBytes())+" is neither an RFC 5646 language tag nor an ISO 639-2 code (e.g. en, en-US, eng)")
				c.pop()
				c.pop()
			}
		}
	}
}

// isSoftwareLanguage: STIX 2.1 says RFC 5646; ISO 639-2 codes (STIX 2.0's
// rule) are still accepted, as the OASIS schema accepts them. A bare
// three-letter code must be a lower-case ISO 639-2 code, as that schema
// requires.
func isSoftwareLanguage(s []byte) bool {
	if len(s) == 3 && isAlpha(s) {
		return iso6392[string(s)]
	}
	return isLangTag(s)
}

// abbreviatedHives are the short hive names windows-registry-key.key MUST
// NOT use: "the hive portion of the key MUST be fully expanded and not
// truncated" (STIX 2.1 section 6.17).
var abbreviatedHives = map[string]string{"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER",
	"HKCR": "HKEY_CLASSES_ROOT", "HKU": "HKEY_USERS", "HKCC": "HKEY_CURRENT_CONFIG", "HKPD": "HKEY_PERFORMANCE_DATA"}

func checkRegistryKey(c *checker, o *fastjson.Object) {
	v := o.Get("key")
	if v == nil || v.Type() != fastjson.TypeString {
		return
	}
	key := v.GetStringBytes()
	hive, _, _ := bytes.Cut(key, []byte(`\`))
	if full, ok := abbreviatedHives[string(bytes.ToUpper(hive))]; ok {
		c.failKey(o, "key", RulePropertyValue, fmt.Sprintf("%s abbreviates the hive: write %s, not %s", quote(key), full, hive))
	}
}

func checkURLValue(c *checker, o *fastjson.Object) {
	if v := o.Get("value"); v != nil && v.Type() == fastjson.TypeString && !isURL(v.GetStringBytes()) {
		c.failKey(o, "value", RulePropertyValue, quote(v.GetStringBytes())+" is not an absolute URL")
	}
}

func checkX509(c *checker, o *fastjson.Object) {
	own := 0
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if _, common := scoCommon[string(k)]; !common {
			own++
		}
	})
	if own == 0 {
		c.fail(RulePropertyDepend, "an x509-certificate must have at least one property besides the common ones")
	}
	c.order(o, "validity_not_before", "validity_not_after", false)
}
