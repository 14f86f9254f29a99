package hub_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

func TestMutualTLS(t *testing.T) {
	pki := hubtest.NewPKI(t, t.TempDir(), "bank-one")
	ca, cert, key := pki.CA, pki.Cert, pki.Key
	clientCert, clientKey := pki.Client("bank-one")
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.TLS = hub.TLSConfig{TLS: configfile.TLS{CertFile: cert, KeyFile: key, CAFile: ca}, VerifyClients: true}
	}))

	_, err := h.Connect("bank-one", nats.RootCAs(ca))
	require.Error(t, err, "no client certificate")

	m, err := h.Connect("bank-one", nats.RootCAs(ca), nats.ClientCert(clientCert, clientKey))
	require.NoError(t, err)
	defer m.NC.Close()
	require.True(t, m.NC.TLSRequired())
	m.Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	require.Equal(t, policy.Accept, m.NextReceipt(t, 10*time.Second).Verdict)
}
