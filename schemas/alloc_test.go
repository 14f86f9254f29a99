package schemas_test

import (
	"testing"

	"github.com/genevahub/geneva/schemas"
)

// cleanBundle is n valid objects that give no finding at all; with
// indicators, every fourth is one.
func cleanBundle(t testing.TB, n int, indicators bool) []byte {
	objs := make([]string, 0, n)
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			if indicators {
				objs = append(objs, baseIndicator)
			} else {
				objs = append(objs, baseFile)
			}
		case 1:
			objs = append(objs, baseCampaign)
		case 2:
			objs = append(objs, baseRelationship)
		default:
			objs = append(objs, baseSighting)
		}
	}
	return []byte(bundle(objs...))
}

// The happy path allocates per document, not per object: findings are
// built only when reported.
func TestHappyPathAllocatesPerDocumentOnly(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(20, func() {
			d, rep := v.Validate(data)
			if !rep.Valid() || len(rep.Warnings) != 0 {
				t.Fatalf("clean bundle gave findings: %v %v", rep.Errors, rep.Warnings)
			}
			d.Release()
		})
	}
	small, large := allocs(cleanBundle(t, 8, false)), allocs(cleanBundle(t, 400, false))
	t.Logf("allocations per document: %v with 8 objects, %v with 400", small, large)
	if large > small+2 {
		t.Errorf("allocations grow with the number of objects: %v for 8, %v for 400", small, large)
	}
	// Indicators add what the pattern parser allocates for its syntax tree.
	t.Logf("with 100 of 400 objects indicators: %v", allocs(cleanBundle(t, 400, true)))
}

func BenchmarkValidateCleanBundle(b *testing.B) {
	data := cleanBundle(b, 1000, true)
	v := schemas.NewValidator(schemas.Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d, _ := v.Validate(data)
		d.Release()
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
