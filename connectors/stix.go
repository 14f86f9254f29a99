package connectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// UUIDFrom is a repeatable UUID (version 4 layout) from the hash of parts,
// for STIX ids that connectors generate: the same input gives the same id.
func UUIDFrom(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return UUIDFromHash(sum[:])
}

// UUIDFromHash lays the first 16 bytes of a hash out as a UUID.
func UUIDFromHash(h []byte) string {
	b := append([]byte(nil), h[:16]...)
	// Version 4 layout (STIX recommends v4 for SDOs and SROs): the bits
	// come from a hash instead of a random source, so they are repeatable.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// NDJSON turns a bundle into one compact object per line (the dir, stdout
// and webhook sinks' line format).
func NDJSON(bundle []byte) ([]byte, error) {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, fmt.Errorf("not a STIX bundle: %w", err)
	}
	var out bytes.Buffer
	for _, o := range b.Objects {
		if err := json.Compact(&out, o); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}
