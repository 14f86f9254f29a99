package tlp

// Definition is the canonical TLP 2.0 marking-definition object for a level,
// as published in oasis-open/cti-stix-common-objects
// (extension-definition-specifications/tlp-2.0/examples), as compact JSON.
// It returns nil for None. The caller gets a fresh copy it may keep.
func Definition(l Level) []byte {
	id := ID(l)
	if id == "" {
		return nil
	}
	name, _ := l.MarshalText()
	return []byte(`{"type":"marking-definition","spec_version":"2.1","id":"` + id +
		`","created":"2022-10-01T00:00:00.000Z","name":"` + l.Label() +
		`","extensions":{"` + ExtensionTLP2 + `":{"extension_type":"property-extension","tlp_2_0":"` + string(name) + `"}}}`)
}
