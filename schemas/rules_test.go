package schemas_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func TestTimestamps(t *testing.T) {
	runCases(t, []ruleCase{
		{"valid base", baseCampaign, nil},
		{"april 31", with(t, baseCampaign, map[string]any{"created": "2016-04-31T20:03:00.000Z"}),
			[]finding{{"timestamp.date", "/created"}}},
		{"feb 29 in a common year", with(t, baseCampaign, map[string]any{"modified": "2017-02-29T08:17:27.000Z"}),
			[]finding{{"timestamp.date", "/modified"}}},
		{"feb 29 2016 is real", with(t, baseCampaign, map[string]any{"created": "2016-02-29T00:00:00.000Z", "modified": "2016-02-29T00:00:00.000Z"}), nil},
		{"feb 29 2100 is not", with(t, baseCampaign, map[string]any{"first_seen": "2100-02-29T00:00:00Z"}),
			[]finding{{"timestamp.date", "/first_seen"}}},
		{"feb 29 2000 is", with(t, baseCampaign, map[string]any{"first_seen": "2000-02-29T00:00:00Z"}), nil},
		{"hour 24", with(t, baseCampaign, map[string]any{"first_seen": "2016-01-01T24:00:00Z"}),
			[]finding{{"timestamp.date", "/first_seen"}}},
		{"leap second", with(t, baseCampaign, map[string]any{"first_seen": "2016-12-31T23:59:60Z"}), nil},
		{"offset instead of Z", with(t, baseCampaign, map[string]any{"first_seen": "2016-01-01T00:00:00+00:00"}),
			[]finding{{"timestamp.format", "/first_seen"}}},
		{"lower-case t", with(t, baseCampaign, map[string]any{"first_seen": "2016-01-01t00:00:00Z"}),
			[]finding{{"timestamp.format", "/first_seen"}}},
		{"not a string", with(t, baseCampaign, map[string]any{"first_seen": 1451606400}),
			[]finding{{"property.type", "/first_seen"}}},
		{"created to the second", with(t, baseCampaign, map[string]any{"created": "2016-04-06T20:03:00Z"}),
			[]finding{{"timestamp.precision", "/created"}}},
		{"first_seen to the second is fine", with(t, baseCampaign, map[string]any{"first_seen": "2016-04-06T20:03:00Z"}), nil},
		{"modified before created", with(t, baseCampaign, map[string]any{"modified": "2016-04-06T20:02:59.999Z"}),
			[]finding{{"timestamp.order", "/modified"}}},
		{"modified before created at microseconds", with(t, baseCampaign, map[string]any{"created": "2016-04-06T20:03:00.000001Z"}),
			[]finding{{"timestamp.order", "/modified"}}},
		{"modified equal to created at other precision", with(t, baseCampaign, map[string]any{"modified": "2016-04-06T20:03:00.000000Z"}), nil},
		{"last_seen before first_seen", with(t, baseCampaign, map[string]any{"first_seen": "2016-05-01T00:00:00Z", "last_seen": "2016-04-01T00:00:00Z"}),
			[]finding{{"timestamp.order", "/last_seen"}}},
		{"valid_until equal to valid_from", with(t, baseIndicator, map[string]any{"valid_until": "2016-01-01T00:00:00.000Z"}),
			[]finding{{"timestamp.order", "/valid_until"}}},
		{"valid_until after valid_from", with(t, baseIndicator, map[string]any{"valid_until": "2016-01-01T00:00:00.001Z"}), nil},
		{"stop_time equal to start_time", with(t, baseRelationship, map[string]any{"start_time": "2016-01-01T00:00:00Z", "stop_time": "2016-01-01T00:00:00Z"}),
			[]finding{{"timestamp.order", "/stop_time"}}},
		{"traffic end before start", with(t, baseTraffic, map[string]any{"start": "2016-01-01T00:00:01Z", "end": "2016-01-01T00:00:00Z"}),
			[]finding{{"timestamp.order", "/end"}}},
		{"traffic end equal to start", with(t, baseTraffic, map[string]any{"start": "2016-01-01T00:00:00Z", "end": "2016-01-01T00:00:00Z"}), nil},
	})
}

func TestMessageNamesPropertyAndValue(t *testing.T) {
	_, rep := schemas.NewValidator(schemas.Options{}).Validate([]byte(
		with(t, baseCampaign, map[string]any{"created": "2016-04-31T20:03:48.000Z", "modified": "2016-05-01T00:00:00.000Z"})))
	if len(rep.Errors) != 1 {
		t.Fatalf("want one error, got %v", rep.Errors)
	}
	want := `created: "2016-04-31T20:03:48.000Z" is not a real date (April has 30 days)`
	if got := rep.Errors[0].Message; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
}

func TestIdentifiers(t *testing.T) {
	runCases(t, []ruleCase{
		{"id of another type", with(t, baseCampaign, map[string]any{"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"id.type", "/id"}}},
		{"not a uuid", with(t, baseCampaign, map[string]any{"id": "campaign--blablabla"}),
			[]finding{{"id.format", "/id"}}},
		{"nil uuid", with(t, baseCampaign, map[string]any{"id": "campaign--00000000-0000-0000-0000-000000000000"}),
			[]finding{{"id.uuid", "/id"}}},
		{"wrong variant", with(t, baseCampaign, map[string]any{"id": "campaign--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"}),
			[]finding{{"id.uuid", "/id"}}},
		{"uuid v1 on an SDO warns", with(t, baseCampaign, map[string]any{"id": "campaign--8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f"}),
			[]finding{{"id.uuid_version", "/id"}}},
		{"uuid v4 on an SCO warns", with(t, baseFile, map[string]any{"id": "file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"id.uuid_version", "/id"}}},
		{"missing id", with(t, baseCampaign, map[string]any{"id": nil}),
			[]finding{{"property.required", ""}}},
		{"spec_version 2.0", with(t, baseCampaign, map[string]any{"spec_version": "2.0"}),
			[]finding{{"spec_version.value", "/spec_version"}}},
		{"SCO without spec_version is fine", with(t, baseFile, map[string]any{"spec_version": nil}), nil},
		{"bundle id of another type", `{"type":"bundle","id":"report--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + baseCampaign + `]}`,
			[]finding{{"id.type", "/id"}}},
	})
}

func TestReferences(t *testing.T) {
	runCases(t, []ruleCase{
		{"created_by_ref to an indicator", with(t, baseCampaign, map[string]any{"created_by_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"ref.type", "/created_by_ref"}}},
		{"created_by_ref to an identity", with(t, baseCampaign, map[string]any{"created_by_ref": "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}), nil},
		{"object_marking_refs to a campaign", with(t, baseCampaign, map[string]any{"object_marking_refs": []string{"campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}}),
			[]finding{{"ref.type", "/object_marking_refs/0"}}},
		{"empty object_marking_refs", with(t, baseCampaign, map[string]any{"object_marking_refs": []string{}}),
			[]finding{{"property.empty", "/object_marking_refs"}}},
		{"ref that is no identifier", with(t, baseCampaign, map[string]any{"created_by_ref": "me"}),
			[]finding{{"ref.format", "/created_by_ref"}}},
		{"relationship from a marking-definition", with(t, baseRelationship, map[string]any{"source_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"}),
			[]finding{{"ref.type", "/source_ref"}}},
		{"relationship to a relationship", with(t, baseRelationship, map[string]any{"target_ref": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"}),
			[]finding{{"ref.type", "/target_ref"}}},
		{"relationship to an SCO", with(t, baseRelationship, map[string]any{"relationship_type": "related-to", "target_ref": "file--e277603e-1060-5ad4-9937-c26c97f1ca68"}), nil},
		{"sighting of a relationship", with(t, baseSighting, map[string]any{"sighting_of_ref": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"}),
			[]finding{{"ref.type", "/sighting_of_ref"}}},
		{"where_sighted_refs to a tool", with(t, baseSighting, map[string]any{"where_sighted_refs": []string{"tool--36ffb872-1dd9-446e-b6f5-d58527e5b5d2"}}),
			[]finding{{"ref.type", "/where_sighted_refs/0"}}},
		{"observed_data_refs to observed-data", with(t, baseSighting, map[string]any{"observed_data_refs": []string{"observed-data--36ffb872-1dd9-446e-b6f5-d58527e5b5d2"}}), nil},
		{"sample_ref to an email-addr", with(t, baseMalwareAnalysis, map[string]any{"sample_ref": "email-addr--499a32d7-74c1-4276-ace9-725ac933e243"}),
			[]finding{{"ref.type", "/sample_ref"}}},
		{"host_vm_ref to a file", with(t, baseMalwareAnalysis, map[string]any{"host_vm_ref": "file--e277603e-1060-5ad4-9937-c26c97f1ca68"}),
			[]finding{{"ref.type", "/host_vm_ref"}}},
		{"host_vm_ref to software", with(t, baseMalwareAnalysis, map[string]any{"host_vm_ref": "software--e277603e-1060-5ad4-9937-c26c97f1ca68"}), nil},
		{"traffic src_ref to a url", with(t, baseTraffic, map[string]any{"src_ref": "url--e277603e-1060-5ad4-9937-c26c97f1ca68"}),
			[]finding{{"ref.type", "/src_ref"}}},
		{"file parent_directory_ref to a file", with(t, baseFile, map[string]any{"parent_directory_ref": "file--e277603e-1060-5ad4-9937-c26c97f1ca68"}),
			[]finding{{"ref.type", "/parent_directory_ref"}}},
	})
}

func TestPatternWiring(t *testing.T) {
	runCases(t, []ruleCase{
		{"valid stix pattern", baseIndicator, nil},
		{"double-quoted hash key", with(t, baseIndicator, map[string]any{"pattern": `[file:hashes."SHA-256" = 'abc']`}),
			[]finding{{"pattern.syntax", "/pattern"}}},
		{"unbalanced bracket", with(t, baseIndicator, map[string]any{"pattern": `[file:name = 'a'`}),
			[]finding{{"pattern.syntax", "/pattern"}}},
		{"yara patterns are opaque", with(t, baseIndicator, map[string]any{"pattern_type": "yara", "pattern": `rule x { condition: true }`}), nil},
		{"unknown pattern type warns only", with(t, baseIndicator, map[string]any{"pattern_type": "kql", "pattern": `x | y`}),
			[]finding{{"vocab.open", "/pattern_type"}}},
	})
}

const tlpWhite = `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
	"created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`

const tlp2Amber = `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	"created":"2022-10-01T00:00:00.000Z","name":"TLP:AMBER",
	"extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber"}}}`

func TestMarkings(t *testing.T) {
	runCases(t, []ruleCase{
		{"TLP:WHITE as defined", tlpWhite, nil},
		{"TLP:WHITE renamed", with(t, tlpWhite, map[string]any{"name": "TLP:CLEAR"}),
			[]finding{{"marking.tlp1_fixed", "/name"}}},
		{"TLP:WHITE id for a statement", with(t, tlpWhite, map[string]any{"definition_type": "statement", "definition": map[string]any{"statement": "Copyright"}}),
			[]finding{{"marking.tlp1_fixed", "/definition"}}},
		{"TLP:WHITE with other created", with(t, tlpWhite, map[string]any{"created": "2018-01-20T00:00:00.000Z"}),
			[]finding{{"marking.tlp1_fixed", "/created"}}},
		{"TLP:WHITE with a creator", with(t, tlpWhite, map[string]any{"created_by_ref": "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"marking.tlp1_fixed", "/created_by_ref"}}},
		{"tlp definition under another id", with(t, tlpWhite, map[string]any{"id": "marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"marking.tlp1_fixed", "/definition"}}},
		{"statement marking", `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
			"created":"2017-01-20T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright 2016, Example Corp"}}`, nil},
		{"marking-definition with modified warns", with(t, tlp2Amber, map[string]any{"modified": "2022-10-01T00:00:00.000Z"}),
			[]finding{{"marking.modified", "/modified"}}},
		{"TLP 2.0 amber", tlp2Amber, nil},
		{"TLP 2.0 amber id saying red", with(t, tlp2Amber, map[string]any{"extensions": map[string]any{
			"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": map[string]any{"extension_type": "property-extension", "tlp_2_0": "red"}}}),
			[]finding{{"marking.tlp2", "/extensions/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"}}},
		{"TLP 2.0 unknown level", with(t, tlp2Amber, map[string]any{"id": "marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "extensions": map[string]any{
			"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": map[string]any{"extension_type": "property-extension", "tlp_2_0": "purple"}}}),
			[]finding{{"marking.tlp2", ""}}},
		{"granular marking resolves", with(t, baseCampaign, map[string]any{"granular_markings": []any{
			map[string]any{"selectors": []string{"name"}, "marking_ref": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}}}), nil},
		{"granular marking selector into a list", with(t, baseCampaign, map[string]any{"aliases": []string{"a", "b"}, "granular_markings": []any{
			map[string]any{"selectors": []string{"aliases.[1]"}, "lang": "en"}}}), nil},
		{"granular marking selector out of range", with(t, baseCampaign, map[string]any{"aliases": []string{"a"}, "granular_markings": []any{
			map[string]any{"selectors": []string{"aliases.[1]"}, "lang": "en"}}}),
			[]finding{{"granular_marking.selector", "/granular_markings/0/selectors/0"}}},
		{"granular marking selector to nothing", with(t, baseCampaign, map[string]any{"granular_markings": []any{
			map[string]any{"selectors": []string{"description"}, "marking_ref": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}}}),
			[]finding{{"granular_marking.selector", "/granular_markings/0/selectors/0"}}},
		{"granular marking with both", with(t, baseCampaign, map[string]any{"granular_markings": []any{
			map[string]any{"selectors": []string{"name"}, "lang": "en", "marking_ref": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}}}),
			[]finding{{"granular_marking.marking", "/granular_markings/0"}}},
	})
}

func TestPropertiesAndVocabularies(t *testing.T) {
	runCases(t, []ruleCase{
		{"confidence 101", with(t, baseCampaign, map[string]any{"confidence": 101}), []finding{{"property.range", "/confidence"}}},
		{"confidence 1.5", with(t, baseCampaign, map[string]any{"confidence": 1.5}), []finding{{"property.type", "/confidence"}}},
		{"lang tag", with(t, baseCampaign, map[string]any{"lang": "en-US"}), nil},
		{"bad lang tag", with(t, baseCampaign, map[string]any{"lang": "english language"}), []finding{{"lang.tag", "/lang"}}},
		{"unregistered language", with(t, baseCampaign, map[string]any{"lang": "xx"}), []finding{{"lang.tag", "/lang"}}},
		{"private-use tag", with(t, baseCampaign, map[string]any{"lang": "x-klingon"}), nil},
		{"marking that marks itself", with(t, tlp2Amber, map[string]any{"object_marking_refs": []string{"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"}}),
			[]finding{{"marking.circular", "/object_marking_refs/0"}}},
		{"open vocab value warns", with(t, baseIndicator, map[string]any{"indicator_types": []string{"spooky"}}),
			[]finding{{"vocab.open", "/indicator_types/0"}}},
		{"enum value errs", `{"type":"opinion","spec_version":"2.1","id":"opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7",
			"created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","opinion":"maybe",
			"object_refs":["campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]}`, []finding{{"vocab.closed", "/opinion"}}},
		{"reserved property", with(t, baseCampaign, map[string]any{"severity": "high"}), []finding{{"property.reserved", "/severity"}}},
		{"custom property warns", with(t, baseCampaign, map[string]any{"x_acme_score": 3}), []finding{{"property.custom", "/x_acme_score"}}},
		{"custom property name too short", with(t, baseCampaign, map[string]any{"ab": 3}), []finding{{"property.name", "/ab"}}},
		{"capitalised property name", with(t, baseIndicator, map[string]any{"Description": "x"}), []finding{{"property.name", "/Description"}}},
		{"custom property with a capital", with(t, baseCampaign, map[string]any{"x_Acme": 3}), []finding{{"property.name", "/x_Acme"}}},
		{"capital inside a custom property", with(t, baseCampaign, map[string]any{"xyzAbc": 3}), []finding{{"property.name", "/xyzAbc"}}},
		{"capitalised bundle property", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","X_note":"x"}`, []finding{{"property.name", "/X_note"}}},
		{"reserved property on an SCO", with(t, baseFile, map[string]any{"severity": "high"}), []finding{{"property.reserved", "/severity"}}},
		{"reserved phone_numbers on an SCO", with(t, baseFile, map[string]any{"phone_numbers": []string{"1"}}), []finding{{"property.reserved", "/phone_numbers"}}},
		{"extension_properties without toplevel", extensionDefinition(t, []string{"property-extension"}, []string{"rank"}),
			[]finding{{"property.dependency", "/extension_properties"}}},
		{"extension_properties with toplevel", extensionDefinition(t, []string{"property-extension", "toplevel-property-extension"}, []string{"rank"}), nil},
		{"toplevel without extension_properties warns", extensionDefinition(t, []string{"toplevel-property-extension"}, nil),
			[]finding{{"extension.style", ""}}},
		{"software language ISO 639-2", software(`["eng","fre","fra","tlh"]`), nil},
		{"software language RFC 5646", software(`["en","en-US"]`), nil},
		{"software language neither RFC 5646 nor ISO 639-2", software(`["eng","English"]`), []finding{{"lang.tag", "/languages/1"}}},
		{"software language not a code", software(`["eng","english"]`), []finding{{"lang.tag", "/languages/1"}}},
		{"software language capitals", software(`["ENG"]`), []finding{{"lang.tag", "/languages/0"}}},
		{"registry key, full hive", registryKey(`HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft`), nil},
		{"registry key, no hive", registryKey(`SOFTWARE\\Microsoft`), nil},
		{"registry key, HKLM", registryKey(`HKLM\\SOFTWARE\\Microsoft`), []finding{{"property.value", "/key"}}},
		{"registry key, hkcu alone", registryKey(`hkcu`), []finding{{"property.value", "/key"}}},
		{"registry key, HKCU in a subkey", registryKey(`HKEY_CURRENT_USER\\HKCU`), nil},
		{"sighting of a bundle", with(t, baseSighting, map[string]any{"sighting_of_ref": "bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
			[]finding{{"ref.type", "/sighting_of_ref"}}},
		{"sighting of a file", with(t, baseSighting, map[string]any{"sighting_of_ref": "file--e277603e-1060-5ad4-9937-c26c97f1ca68"}),
			[]finding{{"ref.type", "/sighting_of_ref"}}},
		{"sighting of a custom object", with(t, baseSighting, map[string]any{"sighting_of_ref": "x-acme-thing--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}), nil},
		{"external reference url with a trailing space warns", with(t, baseCampaign, map[string]any{"external_references": []any{
			map[string]any{"source_name": "mitre-ics-attack", "url": "https://attack.mitre.org/techniques/T0800 "}}}),
			[]finding{{"external_reference.url", "/external_references/0/url"}}},
		{"artifact url with a trailing space errs", `{"type":"artifact","spec_version":"2.1","id":"artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
			"url":"https://example.com/a.bin ","hashes":{"SHA-256":"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}}`,
			[]finding{{"property.value", "/url"}}},
		{"custom _hex not hex", with(t, baseCampaign, map[string]any{"x_acme_hex": "zz"}), []finding{{"property.value", "/x_acme_hex"}}},
		{"empty list", with(t, baseCampaign, map[string]any{"aliases": []string{}}), []finding{{"property.empty", "/aliases"}}},
		{"md5 too short", with(t, baseFile, map[string]any{"hashes": map[string]any{"MD5": "abc"}}), []finding{{"hashes.value", "/hashes/MD5"}}},
		{"sha256 spelled wrong warns", with(t, baseFile, map[string]any{"hashes": map[string]any{"sha256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}}),
			[]finding{{"hashes.vocab", "/hashes/sha256"}}},
		{"cve source name", with(t, baseCampaign, map[string]any{"external_references": []any{map[string]any{"source_name": "cve", "external_id": "CVE-2016-1234"}}}), nil},
		{"cve id without source_name cve", with(t, baseCampaign, map[string]any{"external_references": []any{map[string]any{"source_name": "nvd", "external_id": "CVE-2016-1234"}}}),
			[]finding{{"external_reference.cve", "/external_references/0/source_name"}}},
		{"external reference with only a name", with(t, baseCampaign, map[string]any{"external_references": []any{map[string]any{"source_name": "x"}}}),
			[]finding{{"external_reference.empty", "/external_references/0"}}},
		{"kill chain phase without phase", with(t, baseIndicator, map[string]any{"kill_chain_phases": []any{map[string]any{"kill_chain_name": "mitre-attack"}}}),
			[]finding{{"property.required", "/kill_chain_phases/0"}}},
		{"ipv4 cidr", `{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"10.2.4.5/24"}`, nil},
		{"ipv4 with ipv6 value", `{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"::1"}`,
			[]finding{{"property.value", "/value"}}},
		{"non-ASCII dictionary key", with(t, baseFile, map[string]any{"extensions": map[string]any{"pdf-ext": map[string]any{
			"document_info_dict": map[string]any{"Titré": "x"}}}}), []finding{{"property.name", "/extensions/pdf-ext/document_info_dict/Titré"}}},
		{"iana charset", with(t, baseFile, map[string]any{"name_enc": "windows-1252"}), nil},
		{"unknown charset", with(t, baseFile, map[string]any{"name_enc": "utf8"}), []finding{{"property.value", "/name_enc"}}},
		{"x509 with only common properties", `{"type":"x509-certificate","spec_version":"2.1","id":"x509-certificate--463d7b2a-8516-5a50-a3d7-6f801465d5de"}`,
			[]finding{{"property.dependency", ""}}},
		{"mac upper case", `{"type":"mac-addr","id":"mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00","value":"D2:FB:49:24:37:18"}`,
			[]finding{{"property.value", "/value"}}},
		{"multiple errors at once", with(t, baseCampaign, map[string]any{"confidence": 500, "lang": "?", "created": "2016-13-01T00:00:00.000Z"}),
			[]finding{{"property.range", "/confidence"}, {"lang.tag", "/lang"}, {"timestamp.date", "/created"}}},
	})
}

func TestDeprecatedObservableContainer(t *testing.T) {
	const od = `{"type":"observed-data","spec_version":"2.1","id":"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
		"created":"2016-04-06T19:58:16.000Z","modified":"2016-04-06T19:58:16.000Z","first_observed":"2015-12-21T19:00:00.000Z",
		"last_observed":"2015-12-21T19:00:00.000Z","number_observed":50}`
	objects := func(file map[string]any) map[string]any {
		return map[string]any{"objects": map[string]any{"0": file, "1": map[string]any{"type": "directory", "path": "C:\\"}}}
	}
	runCases(t, []ruleCase{
		{"references by key", with(t, od, objects(map[string]any{"type": "file", "name": "a.exe", "parent_directory_ref": "1"})),
			[]finding{{"property.deprecated", "/objects"}}},
		{"reference to a key of the wrong type", with(t, od, objects(map[string]any{"type": "file", "name": "a.exe", "parent_directory_ref": "0"})),
			[]finding{{"ref.type", "/objects/0/parent_directory_ref"}}},
		{"reference to no key", with(t, od, objects(map[string]any{"type": "file", "name": "a.exe", "parent_directory_ref": "9"})),
			[]finding{{"ref.format", "/objects/0/parent_directory_ref"}}},
		{"timestamp inside", with(t, od, objects(map[string]any{"type": "file", "name": "a.exe", "ctime": "2016-11-31T08:17:27Z"})),
			[]finding{{"timestamp.date", "/objects/0/ctime"}}},
		{"an SDO inside", with(t, od, objects(map[string]any{"type": "campaign", "name": "x"})),
			[]finding{{"object.type", "/objects/0/type"}}},
	})
}

func TestExtensionsAndCustomObjects(t *testing.T) {
	const extID = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
	runCases(t, []ruleCase{
		{"predefined extension", with(t, baseFile, map[string]any{"extensions": map[string]any{"ntfs-ext": map[string]any{"sid": "1"}}}), nil},
		{"predefined extension of another type", with(t, baseTraffic, map[string]any{"extensions": map[string]any{"ntfs-ext": map[string]any{"sid": "1"}}}),
			[]finding{{"extension.key", "/extensions/ntfs-ext"}}},
		{"neither -ext nor definition", with(t, baseFile, map[string]any{"extensions": map[string]any{"x-foobar": map[string]any{"a": "1"}}}),
			[]finding{{"extension.key", "/extensions/x-foobar"}}},
		{"extension-definition without extension_type", with(t, baseFile, map[string]any{"extensions": map[string]any{extID: map[string]any{"rank": 1}}}),
			[]finding{{"extension.type", "/extensions/" + extID}}},
		{"toplevel extension owns unknown properties", with(t, baseCampaign, map[string]any{"rank": 5,
			"extensions": map[string]any{extID: map[string]any{"extension_type": "toplevel-property-extension"}}}), nil},
		{"custom object warns", `{"type":"x-acme-widget","spec_version":"2.1","id":"x-acme-widget--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
			"created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","size":3}`, []finding{{"object.custom", "/type"}}},
		{"custom object through a new-sdo extension", `{"type":"acme-widget","spec_version":"2.1","id":"acme-widget--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
			"created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","size":3,
			"extensions":{"` + extID + `":{"extension_type":"new-sdo"}}}`, nil},
		{"custom object keeps SDO rules", `{"type":"x-acme-widget","spec_version":"2.1","id":"x-acme-widget--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
			"created":"2016-04-31T20:03:00.000Z","modified":"2016-05-06T20:03:00.000Z"}`, []finding{{"timestamp.date", "/created"}}},
		{"reserved type", `{"type":"action","id":"action--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"}`, []finding{{"object.type", "/type"}}},
	})
}

func TestDocumentShape(t *testing.T) {
	runCases(t, []ruleCase{
		{"bundle", bundle(baseCampaign, baseIndicator), nil},
		{"bundle with spec_version 2.0", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","spec_version":"2.0","objects":[]}`,
			[]finding{{"bundle.property", "/spec_version"}}},
		{"top-level list", `[` + baseCampaign + `]`, []finding{{"document.root", ""}}},
		{"object that is a string", bundle(`"campaign"`), []finding{{"object.type", "/objects/0"}}},
		{"nested bundle", bundle(bundle(baseCampaign)), []finding{{"object.type", "/objects/0/type"}}},
		{"duplicate key", `{"type":"campaign","type":"campaign"}`, []finding{{"json.duplicate_key", "/type"}}},
		{"duplicate key written with an escape", bundle(`{"type":"campaign","n\u0061me":"a","name":"b"}`),
			[]finding{{"json.duplicate_key", "/objects/0/name"}}},
		{"pointer escapes ~ and /", with(t, baseCampaign, map[string]any{"a/b~c": 1}), []finding{{"property.name", "/a~1b~0c"}}},
	})
}

// Finding.Object says which bundle object a finding is about, so policy can
// drop just the invalid objects; -1 is the envelope.
func TestFindingObjectIndex(t *testing.T) {
	doc := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","x_note":"hi","objects":[` +
		baseCampaign + `,` + with(t, baseIndicator, map[string]any{"created": "2016-04-31T00:00:00.000Z"}) + `,` + baseFile + `]}`
	d, rep := schemas.NewValidator(schemas.Options{}).Validate([]byte(doc))
	if d == nil || len(d.Objects) != 3 {
		t.Fatal("Objects must be filled even when there are errors")
	}
	if len(rep.Errors) == 0 {
		t.Fatal("want an error")
	}
	for _, e := range rep.Errors {
		if e.Object != 1 || !strings.HasPrefix(e.Pointer, "/objects/1/") {
			t.Errorf("error %+v: want object 1", e)
		}
	}
	var envelope bool
	for _, w := range rep.Warnings {
		if w.Rule == "property.custom" && w.Object == -1 && w.Pointer == "/x_note" {
			envelope = true
		}
	}
	if !envelope {
		t.Errorf("want the envelope's custom property as object -1: %v", rep.Warnings)
	}
}

func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range schemas.Rules {
		if seen[r.Name] {
			t.Errorf("rule %s listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Description == "" || strings.Contains(r.Description, "\n") {
			t.Errorf("rule %s needs a one-line description", r.Name)
		}
	}
}

// docs/stix-validation.md lists every rule of the catalogue.
func TestDocsListEveryRule(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(stixtest.RepoRoot(t), "docs", "stix-validation.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range schemas.Rules {
		if !strings.Contains(string(doc), "| `"+r.Name+"` |") {
			t.Errorf("docs/stix-validation.md does not list rule %s", r.Name)
		}
	}
}

// TestCustomPropertyMessages: one warning per object names its custom
// properties in plain words, singular or plural.
func TestCustomPropertyMessages(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	for _, tc := range []struct {
		set  map[string]any
		want string
	}{
		{map[string]any{"x_acme_score": 3}, "custom property outside an extension (deprecated in STIX 2.1; use an extension-definition)"},
		{map[string]any{"x_acme_score": 3, "x_acme_seen": true}, ": x_acme_score, x_acme_seen: custom properties outside an extension (deprecated in STIX 2.1; use an extension-definition)"},
	} {
		_, rep := v.Validate([]byte(with(t, baseCampaign, tc.set)))
		if len(rep.Warnings) != 1 || !strings.HasSuffix(rep.Warnings[0].Message, tc.want) {
			t.Errorf("%v: warnings %+v, want one ending %q", tc.set, rep.Warnings, tc.want)
		}
	}
}

// extensionDefinition is an extension-definition with the given types and
// extension_properties (nil: none).
func extensionDefinition(t *testing.T, types, properties []string) string {
	set := map[string]any{"extension_types": types}
	if properties == nil {
		set["extension_properties"] = nil
	} else {
		set["extension_properties"] = properties
	}
	return with(t, `{"type":"extension-definition","spec_version":"2.1","id":"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
		"created_by_ref":"identity--11b76a96-5d2b-45e0-8a5a-f6994f370731","created":"2014-02-20T09:16:08.000Z","modified":"2014-02-20T09:16:08.000Z",
		"name":"New SDO 1","schema":"https://www.example.com/schema","version":"1.2.1","extension_types":["new-sdo"]}`, set)
}

func software(languages string) string {
	return `{"type":"software","spec_version":"2.1","id":"software--a1827f6d-ca53-5605-9e93-4316cd22a00a","name":"Word","languages":` + languages + `}`
}

func registryKey(key string) string {
	return `{"type":"windows-registry-key","spec_version":"2.1","id":"windows-registry-key--2ba37ae7-2745-5082-9dfd-9486dad41016","key":"` + key + `"}`
}
