package crashtest

import (
	"crypto/sha256"
	"fmt"
)

// tlpGreen is the TLP 2.0 GREEN marking definition (its fixed id and body).
const tlpGreen = `{"type":"marking-definition","spec_version":"2.1",` +
	`"id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z",` +
	`"name":"TLP:GREEN","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":` +
	`{"extension_type":"property-extension","tlp_2_0":"green"}}}`

// IndicatorID is the STIX id of the one indicator in GreenBundle(key): a
// version-4-shaped UUID derived from key, so every key has its own object
// and a reader can tell which submission a share came from.
func IndicatorID(key string) string { return "indicator--" + uuidFrom("indicator/"+key) }

// GreenBundle is a one-indicator TLP:GREEN bundle whose bundle and
// indicator ids are derived from key (about 900 bytes, like the
// green-tlp2-to-all policy case).
func GreenBundle(key string) []byte {
	return fmt.Appendf(nil, `{"type":"bundle","id":"bundle--%s","objects":[%s,`+
		`{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-10-15T08:30:00.000Z",`+
		`"modified":"2026-10-15T08:30:00.000Z","name":"Phishing landing page",`+
		`"pattern":"[url:value = 'https://login.example-bank.test/verify/%x']","pattern_type":"stix",`+
		`"valid_from":"2026-10-15T08:30:00.000Z",`+
		`"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}]}`,
		uuidFrom("bundle/"+key), tlpGreen, IndicatorID(key), sha256.Sum256([]byte(key)))
}

func uuidFrom(s string) string {
	b := sha256.Sum256([]byte(s))
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
