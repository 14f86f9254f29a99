package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestConnectorLinksNoServer holds the member protocol's promise (hub/wire):
// a partner's connector daemon is a client, so it links neither the NATS
// server nor the Kafka archive bridge that only the hub runs.
func TestConnectorLinksNoServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), "github.com/nats-io/nats.go") {
		t.Fatalf("go list -deps listed %d packages, without nats.go: not a dependency list:\n%s", len(deps), out)
	}
	for _, banned := range []string{"github.com/nats-io/nats-server", "github.com/segmentio/kafka-go", "github.com/genevahub/geneva/hub"} {
		var linked []string
		for _, p := range deps {
			if p == banned || (banned != "github.com/genevahub/geneva/hub" && strings.HasPrefix(p, banned+"/")) {
				linked = append(linked, p)
			}
		}
		if len(linked) > 0 {
			t.Errorf("cmd/geneva-connector links %d packages of %s (%s ...): clients import hub/wire, never the server", len(linked), banned, linked[0])
		}
	}
}
