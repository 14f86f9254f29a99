package tlp

// Marking-definition ids that stand for a TLP level. STIX 2.1 §7.2.1.4 fixes
// the TLP 1.0 objects; the TLP 2.0 objects are published in
// oasis-open/cti-stix-common-objects (extension-definition--60a3c5c5-…).
// OpenCTI reuses the TLP 1.0 ids for CLEAR, GREEN, AMBER and RED and adds
// one id of its own for AMBER+STRICT.
const (
	IDTLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	IDTLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	IDTLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	IDTLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

	IDTLP2Clear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	IDTLP2Green       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	IDTLP2Amber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	IDTLP2AmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	IDTLP2Red         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

	// IDOpenCTIAmberStrict is OpenCTI's fixed AMBER+STRICT marking
	// (opencti-platform: MARKING_TLP_AMBER_STRICT); it is not the TLP 2.0 one.
	IDOpenCTIAmberStrict = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"

	// ExtensionTLP2 is the property extension that carries "tlp_2_0".
	ExtensionTLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
)

var levelByID = map[string]Level{
	IDTLP1White:          Clear, // TLP 1.0 WHITE is TLP 2.0 CLEAR
	IDTLP1Green:          Green,
	IDTLP1Amber:          Amber, // never AMBER+STRICT
	IDTLP1Red:            Red,
	IDTLP2Clear:          Clear,
	IDTLP2Green:          Green,
	IDTLP2Amber:          Amber,
	IDTLP2AmberStrict:    AmberStrict,
	IDTLP2Red:            Red,
	IDOpenCTIAmberStrict: AmberStrict,
}

// LevelOfID returns the level a known TLP marking-definition id stands for.
func LevelOfID(id string) (Level, bool) {
	l, ok := levelByID[id]
	return l, ok
}

// KnownIDs returns every id LevelOfID knows, in a fixed order.
func KnownIDs() []string {
	return []string{
		IDTLP1White, IDTLP1Green, IDTLP1Amber, IDTLP1Red,
		IDTLP2Clear, IDTLP2Green, IDTLP2Amber, IDTLP2AmberStrict, IDTLP2Red,
		IDOpenCTIAmberStrict,
	}
}

// ID is the canonical (TLP 2.0) marking-definition id of a level, "" for None.
func ID(l Level) string {
	switch l {
	case Clear:
		return IDTLP2Clear
	case Green:
		return IDTLP2Green
	case Amber:
		return IDTLP2Amber
	case AmberStrict:
		return IDTLP2AmberStrict
	case Red:
		return IDTLP2Red
	}
	return ""
}
