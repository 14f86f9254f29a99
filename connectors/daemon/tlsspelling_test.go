package daemon_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/daemon"
	"github.com/genevahub/geneva/internal/configfile"
)

// The connector's tls block is spelled as every Geneva file spells it
// (ca_file, cert_file, key_file). The old spelling (ca, cert, key) still
// works, with a warning that names the line; both at once is an error.
func TestTLSBlockOneSpelling(t *testing.T) {
	with := func(tls string) string {
		return strings.Replace(goodConfig, "  credentials: /etc/geneva/bank-one.creds\n",
			"  credentials: /etc/geneva/bank-one.creds\n  tls:\n"+tls, 1)
	}
	cfg, err := daemon.ParseConfig("c.yaml", []byte(with("    ca_file: /ca.pem\n    cert_file: /c.pem\n    key_file: /k.pem\n")), connectors.Default)
	require.NoError(t, err)
	require.Empty(t, cfg.Warnings)
	require.Equal(t, daemon.TLSConfig{TLS: configfile.TLS{CAFile: "/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem"}}, cfg.Hub.TLS)

	cfg, err = daemon.ParseConfig("c.yaml", []byte(with("    ca: /ca.pem\n    cert: /c.pem\n    key: /k.pem\n")), connectors.Default)
	require.NoError(t, err)
	require.Equal(t, daemon.TLSConfig{TLS: configfile.TLS{CAFile: "/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem"}}, cfg.Hub.TLS)
	require.Equal(t, []string{
		"c.yaml:5: hub.tls.ca: deprecated spelling: write hub.tls.ca_file (the spelling of every Geneva file)",
		"c.yaml:6: hub.tls.cert: deprecated spelling: write hub.tls.cert_file (the spelling of every Geneva file)",
		"c.yaml:7: hub.tls.key: deprecated spelling: write hub.tls.key_file (the spelling of every Geneva file)",
	}, cfg.Warnings)

	_, err = daemon.ParseConfig("c.yaml", []byte(with("    ca: /ca.pem\n    ca_file: /other.pem\n")), connectors.Default)
	require.EqualError(t, err, "c.yaml:5: hub.tls.ca: the old spelling of hub.tls.ca_file, which is given too: keep only hub.tls.ca_file")

	_, err = daemon.ParseConfig("c.yaml", []byte(with("    cert: /c.pem\n")), connectors.Default)
	require.EqualError(t, err, "c.yaml:4: hub.tls: cert_file and key_file go together")
}
