package policy

import _ "embed"

//go:embed demo-mou.yaml
var demoMoU []byte

// DemoMoUYAML is the demo partnership's MoU file (docs/demo-mou.yaml).
func DemoMoUYAML() []byte { return append([]byte(nil), demoMoU...) }

// DemoMoU is DESIGN.md's demo partnership: le-alpha, le-bravo, bank-one,
// isp-two and cert-three. It is parsed afresh on every call, so callers may
// change their copy. A test keeps the embedded file valid.
func DemoMoU() *MoU {
	m, err := ParseMoU("demo-mou.yaml", demoMoU)
	if err != nil {
		panic("policy: the embedded demo MoU is invalid: " + err.Error())
	}
	return m
}
