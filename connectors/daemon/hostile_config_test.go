package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/internal/hostile"
)

// inSource puts payload lines among a webhook source's options.
func inSource(payload string) string {
	return strings.Replace(goodConfig, "sources:\n  - {name: drop, kind: dir, path: /srv/drop}\n",
		"sources:\n  - name: intake\n    kind: webhook\n    listen: 127.0.0.1:8088\n"+indent(payload, "    "), 1)
}

func indent(s, by string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "")
}

// TestConnectorConfigRefusesHostileYAMLCheaply: before the shared
// decoder, a repeated option key in a source made one error per pair
// (19 KB → 907 MB), named_individuals: false then true let TLP:RED reach
// a sink while check said OK, a second document was ignored, a path such
// as /report/{id passed check and crashed run, and /dev/zero ran the
// process out of memory.
func TestConnectorConfigRefusesHostileYAMLCheaply(t *testing.T) {
	top := func(p string) string { return goodConfig + p }
	cases := append(hostile.YAML(top),
		hostile.Case{Name: "named_individuals twice", Input: []byte(strings.Replace(goodConfig, "reach: organization,", "reach: organization, named_individuals: false, named_individuals: true,", 1)),
			Want: "sinks[0].named_individuals: duplicate field"},
		hostile.Case{Name: "option key repeated in a source", Input: []byte(inSource(strings.Repeat("path: /x\n", 2500))),
			Want: "sources[0].path: duplicate field (first at line", MaxLines: 3},
		hostile.Case{Name: "aliases in a source", Input: []byte(inSource("token: &t abc\nwait: *t\n")), Want: "anchors and aliases are not allowed"},
		hostile.Case{Name: "route pattern run cannot serve", Input: []byte(inSource("path: /report/{id\n")),
			Want: `sources[0].path: "/report/{id": at offset 13: bad wildcard segment`},
	)
	hostile.Run(t, cases, func(in []byte) error {
		_, err := daemon.ParseConfig("connector.yaml", in, connectors.Default)
		return err
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte(goodConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	hostile.RunFiles(t, []hostile.File{{Path: "/dev/zero", Want: "not a regular file"}, {Path: dir, Want: "not a regular file"}}, func(path string) error {
		_, err := daemon.LoadConfig(path, connectors.Default)
		return err
	})
	if _, err := daemon.LoadConfig(file, connectors.Default); err != nil {
		t.Fatal(fmt.Errorf("the good file: %w", err))
	}
}
