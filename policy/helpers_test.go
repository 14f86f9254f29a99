package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas/stixtest"
)

func readCase(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", name))
	require.NoError(t, err)
	return b
}

// Marking ids used by hand-written bundles.
const (
	green1      = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	amber2      = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	amberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	red1        = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
	clear2      = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"

	bankOneIdentity = "identity--77009411-84ad-5afa-a7f2-75748f36ad3f"
	leAlphaIdentity = "identity--7b9e62c2-a798-54d9-a252-01713835b54f"
)

// bundleOf wraps objects (JSON texts) in a bundle.
func bundleOf(objects ...string) []byte {
	return []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[` + strings.Join(objects, ",") + `]}`)
}

// indicator is an indicator with id suffix n and extra properties (JSON
// members without braces, may be empty).
func indicator(n, extra string) string {
	s := `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-0000000000` + n + `","created":"2026-10-15T08:30:00.000Z","modified":"2026-10-15T08:30:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.` + n + `']","pattern_type":"stix","valid_from":"2026-10-15T08:30:00.000Z"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func marked(ids ...string) string {
	return `"object_marking_refs":["` + strings.Join(ids, `","`) + `"]`
}
