package schemas_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// expectedInvalid names, for each invalid corpus file, the finding that
// is about what its .why.txt says: a rule, and a fragment that must occur
// in the finding's pointer or message. A file rejected for an unrelated
// reason fails the test.
var expectedInvalid = map[string]struct{ rule, frag string }{
	"attack-mobile-attack-10.1":                                                 {"timestamp.order", "/objects/1398/modified"},
	"attack-sample-3.3.0-detection-strategy-list":                               {"document.root", "is a list"},
	"common-objects-extension-definition-tlp2":                                  {"property.required", "type: required"},
	"misp-stix-external-file-objects":                                           {"property.dependency", "payload_bin or url"},
	"misp-stix-internal-bundle-with-invalid-uuids":                              {"id.uuid", "identity--12345678-90ab-cdef-1234-567890abcdef"},
	"opencti-import-document-ai-response":                                       {"relationship.type", "has_a_pattent_on"},
	"python-stix2-sco-examples-list":                                            {"document.root", "is a list"},
	"python-stix2-test-malware-analysis-malware-analysis-json":                  {"ref.type", "/sample_ref"},
	"python-stix2-test-markings-expected-statement-marking-definition":          {"marking.tlp1_fixed", "TLP:WHITE"},
	"python-stix2-v20-malware-bundle":                                           {"bundle.property", "/spec_version"},
	"validator-attack-pattern-external-reference-no-external-id":                {"external_reference.empty", "/external_references/0"},
	"validator-attack-pattern-invalid-timestamp-1":                              {"timestamp.date", "no month 13"},
	"validator-attack-pattern-invalid-timestamp-2":                              {"timestamp.date", "March has 31 days"},
	"validator-attack-pattern-invalid-timestamp-4":                              {"timestamp.date", "hour 99"},
	"validator-attack-pattern-invalid-timestamp-5":                              {"timestamp.date", "minute 99"},
	"validator-attack-pattern-invalid-timestamp-7":                              {"timestamp.date", "February 2017 has 28 days"},
	"validator-attack-pattern-invalid-timestamp-8":                              {"timestamp.date", "February 2017 has 28 days"},
	"validator-bundle-bundle-missing-id":                                        {"property.required", "id: required"},
	"validator-bundle-bundle-sdo-missing-id":                                    {"property.required", "/objects/0 id: required"},
	"validator-campaign-invalid-timestamp-1":                                    {"timestamp.date", "/created"},
	"validator-campaign-invalid-timestamp-2":                                    {"timestamp.order", "/modified"},
	"validator-campaign-invalid-timestamp-5":                                    {"timestamp.order", "/last_seen"},
	"validator-coa-invalid-timestamp-1":                                         {"timestamp.date", "April has 30 days"},
	"validator-custom-obj-invalid-property-name-starting-character-in-instance": {"property.name", "/9ome_custom_stuff"},
	"validator-custom-obj-invalid-timestamp-1":                                  {"timestamp.date", "/created"},
	"validator-custom-obj-invalid-type-name-1":                                  {"object.type", "corpo_ration"},
	"validator-custom-obj-invalid-type-name-2":                                  {"object.type", "corpor@tion"},
	"validator-custom-obj-no-id":                                                {"property.required", "id: required"},
	"validator-custom-obj-no-type":                                              {"property.required", "type: required"},
	"validator-example-invalid-braces":                                          {"json.syntax", "line 1, column 1"},
	"validator-example-invalid-identity":                                        {"property.required", "modified: required"},
	"validator-extensions-ext-defn-invalid-extension-type":                      {"vocab.closed", "/extension_types/0"},
	"validator-extensions-wellformed-new-sdo-invalid-extension-type":            {"property.type", "/extension_type"},
	"validator-identity-invalid-timestamp-2":                                    {"timestamp.order", "/modified"},
	"validator-incident-invalid-timestamp-1":                                    {"timestamp.date", "/created"},
	"validator-incident-missing-name":                                           {"property.required", "name: required"},
	"validator-indicator-custom-property-name-invalid-character":                {"property.name", "my_new_property!"},
	"validator-indicator-custom-property-name-short":                            {"property.name", "/mp"},
	"validator-indicator-empty-list":                                            {"property.empty", "/my_new_property"},
	"validator-indicator-indicator-no-pattern-type":                             {"property.required", "pattern_type: required"},
	"validator-indicator-indicator-no-pattern":                                  {"property.required", "pattern: required"},
	"validator-indicator-invalid-pattern":                                       {"pattern.syntax", "/pattern"},
	"validator-indicator-invalid-timestamp-1":                                   {"timestamp.date", "/created"},
	"validator-indicator-invalid-timestamp-4":                                   {"timestamp.order", "/valid_until"},
	"validator-indicator-pattern-custom-invalid-format":                         {"pattern.syntax", "\"ab\""},
	"validator-indicator-pattern-custom-property-too-short":                     {"pattern.syntax", "\"n\""},
	"validator-indicator-reserved-object-type-incident":                         {"id.type", "incident--"},
	"validator-indicator-reserved-object-type-infrastructure":                   {"id.type", "infrastructure--"},
	"validator-indicator-reserved-property-action":                              {"property.reserved", "/action"},
	"validator-indicator-reserved-property-phone-numbers":                       {"property.reserved", "/phone_numbers"},
	"validator-indicator-valid-indicator":                                       {"ref.type", "/created_by_ref"},
	"validator-intrusion-set-invalid-timestamp-1":                               {"timestamp.date", "/created"},
	"validator-intrusion-set-invalid-timestamp-2":                               {"timestamp.order", "/modified"},
	"validator-ip-addr-invalid-ipv4-1":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv4-2":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv4-4":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv4-5":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv6-1":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv6-2":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv6-4":                                          {"property.value", "/value"},
	"validator-ip-addr-invalid-ipv6-5":                                          {"property.value", "/value"},
	"validator-language-content-invalid-contents-key":                           {"language_content.contents", "español"},
	"validator-language-content-invalid-contents-subkey":                        {"language_content.contents", "/contents/es/a"},
	"validator-language-content-invalid-timestamp-2":                            {"timestamp.order", "/modified"},
	"validator-location-invalid-timestamp-1":                                    {"timestamp.date", "/created"},
	"validator-malware-analysis-invalid-timestamp-2":                            {"timestamp.order", "/modified"},
	"validator-malware-analysis-software-ref-1":                                 {"ref.format", "/host_vm_ref"},
	"validator-malware-invalid-timestamp-1":                                     {"timestamp.date", "/created"},
	"validator-malware-invalid-timestamp-2":                                     {"timestamp.order", "/modified"},
	"validator-malware-invalid-timestamp-5":                                     {"timestamp.date", "/last_seen"},
	"validator-malware-vocab-malware-is-family-boolean":                         {"property.type", "/is_family"},
	"validator-marking-definition-granular-marking-invalid-marking-ref-type":    {"ref.type", "/granular_markings/0/marking_ref"},
	"validator-marking-definition-granular-marking-invalid-selector":            {"granular_marking.selector", "/granular_markings/0/selectors/0"},
	"validator-marking-definition-marking-definition-missing-properties":        {"marking.definition", "definition_type and definition"},
	"validator-marking-definition-marking-definition-with-extension-1":          {"marking.tlp1_fixed", "TLP:GREEN"},
	"validator-marking-definition-marking-definition-with-extension-2":          {"marking.tlp1_fixed", "/extensions"},
	"validator-marking-definition-object-marking-ref-invalid-type":              {"ref.type", "/object_marking_refs/0"},
	"validator-network-traffic-invalid-start-end-time-1":                        {"timestamp.date", "/start"},
	"validator-network-traffic-network-traffic-end-is-active-1":                 {"property.exclusive", "/end"},
	"validator-network-traffic-network-traffic-ports-4":                         {"property.range", "/src_port"},
	"validator-network-traffic-network-traffic-required-fields-2":               {"property.required", "protocols: required"},
	"validator-observed-data-artifact-mime-type-1":                              {"property.value", "/mime_type"},
	"validator-observed-data-artifact-url-payloadbin-1":                         {"property.exclusive", "payload_bin and url"},
	"validator-observed-data-artifact-url-payloadbin-3":                         {"property.value", "/payload_bin"},
	"validator-observed-data-file-invalid-is-encrypted":                         {"property.dependency", "/decryption_key"},
	"validator-observed-data-hash-length-2":                                     {"hashes.algorithm", "/hashes/MD"},
	"validator-observed-data-invalid-accessed-timestamp-2":                      {"timestamp.order", "/modified"},
	"validator-observed-data-invalid-extension-timestamp":                       {"timestamp.date", "/extensions/windows-pebinary-ext/time_date_stamp"},
	"validator-observed-data-invalid-object-refs-3":                             {"ref.format", "/object_refs/0"},
	"validator-observed-data-invalid-objects-property":                          {"property.type", "/objects"},
	"validator-observed-data-invalid-seen-time-1":                               {"timestamp.date", "/first_observed"},
	"validator-observed-data-invalid-seen-time-2":                               {"timestamp.order", "/last_observed"},
	"validator-observed-data-observable-object-extensions-prefix-lax-1":         {"extension.key", "x-foobar"},
	"validator-observed-data-observable-object-extensions-string":               {"property.type", "/extensions"},
	"validator-observed-data-observable-object-reserved-type":                   {"object.type", "reserved"},
	"validator-observed-data-software-cpe-1":                                    {"property.value", "/cpe"},
	"validator-observed-data-url-in-artifact":                                   {"property.value", "/url"},
	"validator-relationship-enforce-refs":                                       {"property.required", "spec_version: required"},
	"validator-relationship-invalid-timestamp-2":                                {"timestamp.order", "/modified"},
	"validator-relationship-invalid-timestamp-4":                                {"timestamp.date", "/start_time"},
	"validator-relationship-missing-required":                                   {"property.required", "relationship_type: required"},
	"validator-relationship-relationship-type":                                  {"relationship.type", "SOMETHING"},
	"validator-relationship-source-sighting":                                    {"ref.type", "/source_ref"},
	"validator-relationship-target-bundle":                                      {"ref.type", "/target_ref"},
	"validator-report-invalid-timestamp-1":                                      {"timestamp.date", "/published"},
	"validator-report-invalid-timestamp-3":                                      {"timestamp.date", "/created"},
	"validator-sighting-invalid-timestamp-1":                                    {"timestamp.date", "/created"},
	"validator-sighting-invalid-timestamp-2":                                    {"timestamp.order", "/modified"},
	"validator-sighting-invalid-timestamp-5":                                    {"timestamp.order", "/last_seen"},
	"validator-sighting-observed-data-refs":                                     {"ref.type", "/observed_data_refs/1"},
	"validator-sighting-where-sighted-refs":                                     {"ref.type", "/where_sighted_refs/1"},
	"validator-threat-actor-invalid-timestamp-1":                                {"timestamp.date", "/created"},
	"validator-threat-actor-invalid-timestamp-4":                                {"timestamp.date", "/last_seen"},
	"validator-threat-actor-invalid-timestamp-5":                                {"timestamp.order", "/last_seen"},
	"validator-tool-invalid-timestamp-2":                                        {"timestamp.order", "/modified"},
	"validator-tool-invalid-uuid":                                               {"id.format", "tool--blablabla"},
	"validator-vulnerability-incorrect-cve-format-lowercase":                    {"external_reference.cve", "cve-2016-1234"},
	"validator-vulnerability-incorrect-cve-format-number":                       {"external_reference.cve", "CVE-20161234"},
	"validator-vulnerability-incorrect-cve-source-name":                         {"external_reference.cve", "/external_references/0/source_name"},
	"validator-vulnerability-invalid-timestamp-1":                               {"timestamp.date", "/created"},
}

func corpusName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".json") }

func validate(t *testing.T, path string) (*schemas.Document, schemas.Report) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return schemas.NewValidator(schemas.Options{}).Validate(data)
}

func TestCorpusValid(t *testing.T) {
	for _, f := range stixtest.CorpusFiles(t, "valid") {
		t.Run(corpusName(f), func(t *testing.T) {
			d, rep := validate(t, f)
			for _, e := range rep.Errors {
				t.Errorf("unexpected error %s: %s: %s", e.Pointer, e.Rule, e.Message)
			}
			if d == nil || len(d.Objects) == 0 {
				t.Fatal("no document or no objects")
			}
			if strings.HasPrefix(corpusName(f), "warn-") && len(rep.Warnings) == 0 {
				t.Error("a warn-* file must give at least one warning")
			}
		})
	}
}

func TestCorpusInvalid(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range stixtest.CorpusFiles(t, "invalid") {
		name := corpusName(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			_, rep := validate(t, f)
			if len(rep.Errors) == 0 {
				why, _ := os.ReadFile(strings.TrimSuffix(f, ".json") + ".why.txt")
				t.Fatalf("no error; expected one about: %s", why)
			}
			want, ok := expectedInvalid[name]
			if !ok {
				t.Fatalf("no expectation in expectedInvalid for this file; errors: %v", rep.Errors)
			}
			for _, e := range rep.Errors {
				if e.Rule == want.rule && strings.Contains(e.Pointer+" "+e.Message, want.frag) {
					return
				}
			}
			t.Errorf("no %s error about %q; got:", want.rule, want.frag)
			for _, e := range rep.Errors {
				t.Logf("  %s: %s: %s", e.Pointer, e.Rule, e.Message)
			}
		})
	}
	for name := range expectedInvalid {
		if !seen[name] {
			t.Errorf("expectedInvalid names %s, which is not in the corpus", name)
		}
	}
}

// Every finding carries a rule from the catalogue with its catalogued
// severity, and an object index that points into Objects (or -1).
func TestCorpusFindingsUseCatalogue(t *testing.T) {
	files := append(stixtest.CorpusFiles(t, "valid"), stixtest.CorpusFiles(t, "invalid")...)
	for _, f := range files {
		d, rep := validate(t, f)
		check := func(fs []schemas.Finding, sev schemas.Severity) {
			for _, x := range fs {
				r, ok := schemas.RuleByName(x.Rule)
				if !ok {
					t.Errorf("%s: rule %q is not in the catalogue", corpusName(f), x.Rule)
					continue
				}
				if r.Severity != sev {
					t.Errorf("%s: rule %q reported with the other severity", corpusName(f), x.Rule)
				}
				if x.Object < -1 || (d != nil && x.Object >= len(d.Objects)) {
					t.Errorf("%s: finding %v has object index out of range", corpusName(f), x)
				}
				if x.Message == "" || strings.HasSuffix(x.Message, ".") {
					t.Errorf("%s: message %q must be a sentence without a trailing period", corpusName(f), x.Message)
				}
			}
		}
		check(rep.Errors, schemas.SeverityError)
		check(rep.Warnings, schemas.SeverityWarning)
	}
}
