package oasis

import (
	"embed"
	"io/fs"
	"sync"
)

// vendored is the schemas/ folder of oasis-open/cti-stix2-json-schemas at the
// commit named in stix2-json-schemas/SOURCE (BSD-3-Clause, see its LICENSE).
//
//go:embed stix2-json-schemas/schemas
var vendored embed.FS

var embedded = sync.OnceValues(func() (*Checker, error) {
	sub, err := fs.Sub(vendored, "stix2-json-schemas/schemas")
	if err != nil {
		return nil, err
	}
	return load(sub, "/geneva/schemas/oasis/stix2-json-schemas/schemas", "(embedded)")
})

// Embedded is the checker for the schemas vendored into this package. It is
// compiled on first use and shared afterwards (a Checker is safe for
// concurrent use).
func Embedded() (*Checker, error) { return embedded() }
