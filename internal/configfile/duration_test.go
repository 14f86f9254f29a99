package configfile_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/internal/configfile"
)

// Every configuration file reads a length of time the same way, in YAML
// (a Duration or a time.Duration field) and in a connector's JSON options.
func TestOneDurationEverywhere(t *testing.T) {
	type conf struct {
		A configfile.Duration `yaml:"a" json:"a"`
		B time.Duration       `yaml:"b"`
	}
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "720h": 720 * time.Hour, "30d": 30 * 24 * time.Hour, "0": 0} {
		root, err := configfile.Parse("c.yaml", []byte("a: "+in+"\nb: "+in+"\n"))
		require.NoError(t, err)
		d := configfile.NewDecoder("c.yaml")
		var c conf
		d.Decode(root, &c, "")
		require.Empty(t, d.Errs, in)
		require.Equal(t, want, time.Duration(c.A), "yaml %s", in)
		require.Equal(t, want, c.B, "yaml time.Duration %s", in)
		var j conf
		require.NoError(t, json.Unmarshal([]byte(`{"a":"`+in+`"}`), &j))
		require.Equal(t, want, time.Duration(j.A), "json %s", in)
	}
	for _, in := range []string{"soon", "1.5d", "d", "99999999999999d", strings.Repeat("9", 200) + "d"} {
		root, err := configfile.Parse("c.yaml", []byte("a: "+in+"\nb: "+in+"\n"))
		require.NoError(t, err)
		d := configfile.NewDecoder("c.yaml")
		var c conf
		d.Decode(root, &c, "")
		require.Len(t, d.Errs, 2, in)
		require.Contains(t, d.Errs[0].Error(), "c.yaml:1: a: want a duration such as 30s, 5m or 30d, not", in)
		require.Contains(t, d.Errs[1].Error(), "c.yaml:2: b: want a duration such as 30s, 5m or 30d, not", in)
		require.Less(t, len(d.Errs.Error()), 300, "a hostile value is clipped")
	}
}
