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
	return true // a custom type may be a custom observable; its own check decides
}

func isSDOType(t []byte) bool {
	for _, s := range sdoTypes {
		if string(t) == s {
			return true
		}
	}
	return typeSpecs[string(t)] == nil // custom types may be custom SDOs
}
