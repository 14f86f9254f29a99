package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func demoEngine(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(t, err)
	return e
}

func list(field string) []string {
	if field == "-" || field == "" {
		return nil
	}
	return strings.Split(field, ",")
}

// TestPolicyCases runs every row of testdata/policy-cases/CASES.tsv under the
// demo MoU: the listed verdict, and exactly the listed receivers.
func TestPolicyCases(t *testing.T) {
	dir := filepath.Join(stixtest.SharedDir(t), "policy-cases")
	table, err := os.ReadFile(filepath.Join(dir, "CASES.tsv"))
	require.NoError(t, err)
	e := demoEngine(t)
	rows := strings.Split(strings.TrimSpace(string(table)), "\n")[1:]
	require.NotEmpty(t, rows)
	for _, row := range rows {
		f := strings.Split(row, "\t")
		require.Len(t, f, 6, "row %q", row)
		t.Run(f[0], func(t *testing.T) {
			bundle, err := os.ReadFile(filepath.Join(dir, f[0]))
			require.NoError(t, err)
			d := e.Decide(policy.Request{Sender: f[1], To: list(f[2]), Community: strings.Trim(f[3], "-"), Bundle: bundle})
			want := list(f[5])
			got := d.Receivers()
			require.Equal(t, f[4], d.Verdict.String(), "reasons: %+v\nobjects: %+v", d.Reasons, d.Objects)
			require.ElementsMatch(t, want, got, "receivers; objects: %+v", d.Objects)
			if strings.HasPrefix(f[0], "classified-") {
				require.True(t, d.Classified, "the guard must fire")
			}
		})
	}
}
