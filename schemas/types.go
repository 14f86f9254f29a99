package schemas

// typeSpecs maps every STIX 2.1 type this validator knows to its spec;
// built once at init.
var typeSpecs = map[string]*objSpec{}

func init() {
	all := append(append(sdoSpecs(), sroSpecs()...), scoSpecs()...)
	all = append(all, markingDefinitionSpec, languageContentSpec, extensionDefinitionSpec)
	for _, s := range all {
		typeSpecs[s.name] = s
	}
}

func isSCOType(t []byte) bool {
	if s := typeSpecs[string(t)]; s != nil {
		return s.class == classSCO
	}
	// A custom type may be a custom observable (its own check decides); a
	// bundle is no STIX object at all.
	return string(t) != "bundle"
}

func isSDOType(t []byte) bool {
	for _, s := range sdoTypes {
		if string(t) == s {
			return true
		}
	}
	// Custom types may be custom SDOs; a bundle is no STIX object at all.
	return typeSpecs[string(t)] == nil && string(t) != "bundle"
}
