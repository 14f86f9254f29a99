package oasis_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas"
)

// schemaWrong lists the files whose corpus label the OASIS schemas get
// wrong, and why the label (and our validator) is right.
var schemaWrong = map[string]string{
	"python-stix2-test-markings-expected-campaign-with-granular-lang-markings.json": "common/granular-marking.json requires marking_ref, but STIX 2.1 section 7.2.3 allows a granular marking with lang instead",
}

// TestConformance compares, file by file, the verdict of the OASIS schemas
// (bundle envelope, then each object against its type's schema) with our
// validator's on the whole corpus. Where the schemas can decide (valid files,
// schema: and malformed-json: files) both must agree with the label; where
// they cannot (spec-only:), the schemas must accept and we must reject.
func TestConformance(t *testing.T) {
	k := checker(t)
	v := schemas.NewValidator(schemas.Options{})
	for _, file := range corpus(t) {
		name := filepath.Base(file)
		lbl := label(t, file)
		t.Run(lbl+"/"+name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			theirs := k.Check(data)
			_, report := v.Validate(data)
			ours := report.Errors

			wantSchemaValid, wantOursValid := lbl == "valid" || lbl == "spec-only", lbl == "valid"
			if reason, ok := schemaWrong[name]; ok {
				require.Equal(t, "valid", lbl, "schemaWrong lists a file that is not in corpus/valid")
				wantSchemaValid = false
				t.Logf("the schemas are wrong here: %s", reason)
			}
			if wantSchemaValid {
				require.Empty(t, theirs, "the OASIS schemas reject a file labelled %s", lbl)
			} else {
				require.NotEmpty(t, theirs, "the OASIS schemas accept a file labelled %s", lbl)
			}
			if wantOursValid {
				require.Empty(t, ours, "our validator rejects a file labelled %s", lbl)
			} else {
				require.NotEmpty(t, ours, "our validator accepts a file labelled %s", lbl)
			}
		})
	}
}
