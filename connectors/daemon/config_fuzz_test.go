package daemon_test

import (
	"strings"
	"testing"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
)

// FuzzParseConfig: any bytes give a connector config or an error, never a
// panic; an accepted config names each sink's reach; errors stay short.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte(inSource("path: /report/{id}\nmax_bytes: 1024\n")))
	f.Add([]byte(strings.Replace(goodConfig, "reach: organization,", "reach: organization, named_individuals: true,", 1)))
	f.Add([]byte(goodConfig + "---\n" + goodConfig))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := daemon.ParseConfig("fuzz.yaml", data, connectors.Default)
		if err != nil {
			if cfg != nil {
				t.Fatalf("a config with an error: %v", err)
			}
			if n := strings.Count(err.Error(), "\n"); n > 100 {
				t.Fatalf("%d lines of errors", n)
			}
			return
		}
		for _, s := range cfg.Sinks {
			if _, err := daemon.ParseReach(s.Reach); err != nil {
				t.Fatalf("accepted a sink with reach %q", s.Reach)
			}
		}
	})
}
