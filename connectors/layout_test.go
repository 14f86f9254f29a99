package connectors_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestKindsImportOnlyTheAPI holds the plugin boundary: a connector kind
// (and the conformance suite) builds on package connectors alone, never on
// the daemon that runs it nor on another kind, so each kind can be read,
// tested and replaced on its own. Only connectors/all gathers the kinds.
func TestKindsImportOnlyTheAPI(t *testing.T) {
	const api = "github.com/genevahub/geneva/connectors"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	kinds := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		if pkg == api || pkg == api+"/all" || strings.HasPrefix(pkg, api+"/daemon") {
			continue
		}
		kinds++
		for _, imp := range imports {
			if strings.HasPrefix(imp, api+"/") {
				t.Errorf("%s imports %s: a kind imports only %s", pkg, imp, api)
			}
		}
	}
	if kinds < 5 {
		t.Fatalf("go list found %d kinds under connectors (dir, stdout, taxii, webhook, connectortest expected):\n%s", kinds, out)
	}
}

// TestDaemonTalksThroughHubMember: the daemon is one client of the member
// protocol, hub/member, not a second one written with nats.go: it imports
// no NATS package itself, so connection handling, permission errors and
// consumer reading are the CLI's and the daemon's alike.
func TestDaemonTalksThroughHubMember(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, "./daemon").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	imports := strings.Fields(string(out))
	if !slices.Contains(imports, "github.com/genevahub/geneva/hub/member") {
		t.Fatalf("connectors/daemon does not import hub/member: %s", out)
	}
	for _, imp := range imports {
		if strings.HasPrefix(imp, "github.com/nats-io/") {
			t.Errorf("connectors/daemon imports %s: it reaches the hub through hub/member only", imp)
		}
	}
}
