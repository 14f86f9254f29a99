package archive_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// The bridge's default wire names are hub/subjects.go's. The constants are
// read from the source file: package hub imports this one to run the
// bridge, so this one cannot import it.
func TestDefaultWireNamesMatchHub(t *testing.T) {
	file := filepath.Join(stixtest.RepoRoot(t), "hub", "subjects.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	require.NoError(t, err)
	consts := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					consts[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	w := archive.DefaultWireNames()
	for hubName, ours := range map[string]string{
		"StreamShare": w.ShareStream, "StreamAudit": w.AuditStream, "SubjectAudit": w.AuditSubject,
		"HeaderSubmission": w.Submission, "HeaderSender": w.Sender, "HeaderTLP": w.TLP,
		"HeaderAudience": w.Audience, "HeaderReceived": w.Received, "HeaderArchive": w.ArchiveFlag,
		"HeaderArchiveObjects": w.ArchiveObjects,
	} {
		require.Contains(t, consts, hubName, "hub/subjects.go no longer defines %s", hubName)
		require.Equal(t, consts[hubName], ours, "archive's default for hub.%s", hubName)
	}
}
