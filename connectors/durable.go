package connectors

import (
	"path/filepath"

	"github.com/genevahub/geneva/internal/durable"
)

// WriteFileDurable writes path atomically and durably (internal/durable),
// for connector kinds' files and state.
func WriteFileDurable(path string, data []byte) error {
	return durable.WriteFile(filepath.Dir(path), filepath.Base(path), data)
}
