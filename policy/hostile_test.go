package policy_test

import (
	"testing"

	"github.com/genevahub/geneva/internal/hostile"
	"github.com/genevahub/geneva/policy"
)

// TestMoURefusesHostileYAMLCheaply: before the shared decoder, a 21 KB
// MoU of aliases took 13.9 s and 740 MB, a repeated key was silently
// overwritten and /dev/zero was read until memory ran out.
func TestMoURefusesHostileYAMLCheaply(t *testing.T) {
	hostile.Run(t, hostile.YAML(func(p string) string { return p }), func(in []byte) error {
		_, err := policy.ParseMoU("mou.yaml", in)
		return err
	})
	hostile.RunFiles(t, []hostile.File{{Path: "/dev/zero", Want: "not a regular file"}}, func(path string) error {
		_, err := policy.LoadMoU(path)
		return err
	})
}
