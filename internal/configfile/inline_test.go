package configfile_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/internal/configfile"
)

// A struct's own key hides the same key of a struct it inlines, as a Go
// field does: the hub's tls block (the server's) takes the place of the
// client block of its inlined connection settings.
func TestOwnKeyHidesInlined(t *testing.T) {
	type Conn struct {
		URL string         `yaml:"url"`
		TLS configfile.TLS `yaml:"tls"`
	}
	type server struct {
		TLS struct {
			CAFile        string `yaml:"ca_file"`
			VerifyClients bool   `yaml:"verify_clients"`
		} `yaml:"tls"`
		Conn `yaml:",inline"`
	}
	root, err := configfile.Parse("c.yaml", []byte("url: nats://a\ntls: {ca_file: /ca.pem, verify_clients: true}\n"))
	require.NoError(t, err)
	d := configfile.NewDecoder("c.yaml")
	var s server
	d.Decode(root, &s, "")
	require.Empty(t, d.Errs)
	require.Equal(t, "nats://a", s.URL)
	require.Equal(t, "/ca.pem", s.TLS.CAFile)
	require.True(t, s.TLS.VerifyClients)
	require.True(t, s.Conn.TLS.IsZero(), "the inlined block is hidden")

	root, err = configfile.Parse("c.yaml", []byte("colour: red\n"))
	require.NoError(t, err)
	d = configfile.NewDecoder("c.yaml")
	d.Decode(root, &s, "")
	require.EqualError(t, d.Errs, "c.yaml:1: colour: unknown field (known: tls, url)", "each key listed once")
}

// A fraction is not an integer: yaml alone would read workers: 0.5 as 0.
func TestFractionIsNoInteger(t *testing.T) {
	var c struct {
		N int32   `yaml:"n"`
		U uint    `yaml:"u"`
		F float64 `yaml:"f"`
	}
	root, err := configfile.Parse("c.yaml", []byte("n: 0.5\nu: 1e3\nf: 0.5\n"))
	require.NoError(t, err)
	d := configfile.NewDecoder("c.yaml")
	d.Decode(root, &c, "")
	require.EqualError(t, d.Errs, "c.yaml:1: n: want an integer, not \"0.5\"\nc.yaml:2: u: want an integer, not \"1e3\"")
	require.Equal(t, 0.5, c.F)
}
