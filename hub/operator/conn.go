// Package operator is how a process apart from the hub (a worker node, a
// standalone archive bridge, a hub process on a NATS cluster) reaches the
// hub's NATS as the hub's operator: the settings every such file shares
// and the connection they make.
package operator

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
)

// HubConnection is how a process apart from the hub (a worker node, a
// standalone archive bridge) reaches the hub's NATS as its operator.
type HubConnection struct {
	NATSURL string `yaml:"nats_url"` // the hub's NATS, e.g. tls://hub.example:4222
	Creds   string `yaml:"creds"`    // the operator's creds file (data_dir/creds/operator.creds)
	// TLS: ca_file, the CA of the hub's certificate; cert_file and
	// key_file, a client certificate. In the hub's own file its tls block
	// (the server's) takes this place (hub.Config.hubConnection).
	TLS configfile.TLS `yaml:"tls"`
	// OldCAFile is the spelling before tls.ca_file, read with a warning.
	OldCAFile string `yaml:"ca_file"`
}

// MoveCAFile moves the old top-level ca_file to tls.ca_file (caFile), the
// block every Geneva file spells TLS with: a warning, or an error if both.
func (c *HubConnection) MoveCAFile(d *configfile.Decoder, caFile *string) {
	d.Deprecated("ca_file", "tls.ca_file", &c.OldCAFile, caFile)
}

// Check adds every problem to bad; why says what the process reads that
// needs the operator's creds.
func (c HubConnection) Check(bad func(field, format string, args ...any), why string) {
	if c.NATSURL == "" {
		bad("nats_url", "required (the hub's NATS address, e.g. nats://hub.example:4222)")
	}
	switch m, err := wire.CredsMember(c.Creds); {
	case c.Creds == "":
		bad("creds", "required (the hub operator's creds file, %s)", wire.CredsPath("DATA_DIR", wire.OperatorName))
	case err != nil:
		bad("creds", "%s", strings.TrimPrefix(err.Error(), "creds: "))
	case m != wire.OperatorName:
		bad("creds", "%s are member %q's; %s and needs the hub operator's (%s)", c.Creds, m, why, wire.CredsPath("DATA_DIR", wire.OperatorName))
	}
	c.TLS.Check("tls", bad)
}

// Dial connects as the operator, reconnecting for ever; NATS errors go to
// log.
func (c HubConnection) Dial(name string, log *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	_, opts, err := wire.MemberOptions(c.Creds, func(err error) { log.Error("nats", "err", err) })
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, nats.Name(name), nats.MaxReconnects(-1))
	if c.TLS.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.TLS.CAFile))
	}
	if c.TLS.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.TLS.CertFile, c.TLS.KeyFile))
	}
	nc, err := nats.Connect(c.NATSURL, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("nats_url %s: %w", c.NATSURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}
