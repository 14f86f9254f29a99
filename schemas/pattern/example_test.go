package pattern_test

import (
	"fmt"

	"github.com/genevahub/geneva/schemas/pattern"
)

func ExampleParse() {
	p, err := pattern.Parse(`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] FOLLOWEDBY [windows-registry-key:values[*].name = 'Run'] WITHIN 300 SECONDS`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for c := range p.Comparisons() {
		fmt.Println(c.Path.ObjectType, c.Path, c.Op, c.Value.Kind)
	}
	// Output:
	// file file:hashes.'SHA-256' = string
	// windows-registry-key windows-registry-key:values[*].name = string
}

func ExampleSyntaxError() {
	_, err := pattern.Parse(`[file:hashes."SHA-256" = 'aec0']`)
	fmt.Println(err)
	_, err = pattern.Parse(`[file:name = 'a'`)
	fmt.Println(err)
	// Output:
	// offset 13: unexpected '"': STIX strings and quoted keys use single quotes
	// offset 16: expected ']' after comparison expression, found end of pattern
}
