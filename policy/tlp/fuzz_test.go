package tlp_test

import (
	"testing"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/tlp"
)

// FuzzFromDefinition: any JSON gives a level, "not TLP" or an error, never a
// panic; a TLP answer is always a real level.
func FuzzFromDefinition(f *testing.F) {
	for l := tlp.Clear; l <= tlp.Red; l++ {
		f.Add(string(tlp.Definition(l)))
	}
	f.Add(`{"type":"marking-definition","id":"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37","definition_type":"statement","definition":{"statement":"custom"},"x_opencti_definition_type":"TLP","x_opencti_definition":"TLP:AMBER+STRICT"}`)
	f.Add(`{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition_type":"TLP","name":"TLP:CLEAR"}`)
	f.Add(`{"type":"marking-definition","definition_type":"tlp","definition":{"TLP":"amber"}}`)
	f.Add(`{"type":"marking-definition","definition_type":"statement","definition":{"statement":"SECRET"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := fastjson.Parse(s)
		if err != nil {
			return
		}
		l, ok, err := tlp.FromDefinition(v)
		if err != nil && (ok || l != tlp.None) {
			t.Fatalf("error with a level: %v %v %v", l, ok, err)
		}
		if ok && (l < tlp.Clear || l > tlp.Red) {
			t.Fatalf("TLP marking with level %v", l)
		}
	})
}
