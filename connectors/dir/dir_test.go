package dir_test

import (
	"testing"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	_ "github.com/genevahub/geneva/connectors/dir"
)

func TestConformance(t *testing.T) {
	spec, err := connectors.Default.Lookup("dir")
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir()
	opts := []byte(`{"path":"` + path + `","interval":"20ms"}`)
	connectortest.Run(t, connectortest.Case{Spec: spec, Source: opts, Sink: []byte(`{"path":"` + path + `"}`),
		Deps: connectors.Deps{StateDir: t.TempDir()}})
}
