package hub

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/operator"
	"github.com/genevahub/geneva/hub/taxii"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

// Config is everything the hub needs. Zero values take the defaults of
// withDefaults; Dev selects the demo MoU and the demo addresses.
type Config struct {
	Dev        bool   `yaml:"-"`
	DataDir    string `yaml:"data_dir"`    // JetStream storage and creds; default ./geneva-data
	NATSListen string `yaml:"nats_listen"` // host:port; port -1 picks a free port
	HTTPListen string `yaml:"http_listen"` // host:port for /healthz /readyz /metrics; "off" disables
	// MetricsTokenFile holds the bearer token /metrics requires; needed
	// when http_listen is not a loopback address (/metrics shows
	// per-member data).
	MetricsTokenFile string   `yaml:"metrics_token_file"`
	MoUFile          string   `yaml:"mou_file"`    // the MoU YAML; watched and reloaded on change
	MaxPayload       int32    `yaml:"max_payload"` // bytes; the largest submission NATS accepts
	Retention        Duration `yaml:"retention"`   // how long GENEVA_SHARE and GENEVA_RECEIPT keep messages
	Workers          int      `yaml:"workers"`     // concurrent decisions in this process
	// IntakeDedupWindow is how long an intake stream drops a repeat of a
	// submission's Nats-Msg-Id (default 2m). Connectors do not depend on
	// it (they ask the hub before resending a submission whose PubAck was
	// lost); a shorter window only makes intakes trimmed sooner. Tests
	// shorten it to outlast it.
	IntakeDedupWindow Duration  `yaml:"intake_dedup_window"`
	TLS               TLSConfig `yaml:"tls"`
	// WorkerNodesOnly leaves every decision to worker nodes (geneva-hub
	// worker) connected to this hub; the hub still serves, reviews, trims
	// and archives.
	WorkerNodesOnly bool `yaml:"worker_nodes_only"`
	// JWTAccounts runs NATS in operator mode (jwtserver.go): the embedded
	// server, or with nats_url the cluster geneva-hub cluster-users --jwt
	// configured; the hub pushes every account change as a claim. Members
	// connect with their JWT creds (data_dir/jwt/creds).
	JWTAccounts bool `yaml:"jwt_accounts"`
	// HubConnection's nats_url (with the operator's creds) runs the hub
	// against an external NATS cluster instead of its embedded server
	// (cluster.go); Replicas is how many copies each stream keeps there.
	HubConnection `yaml:",inline"`
	Replicas      int `yaml:"replicas"` // 0: 3 when the cluster has 3+ JetStream servers, else 1

	// Archive runs the Kafka archive bridge inside the hub when it names
	// brokers (docs/archive.md).
	Archive archive.Settings `yaml:"archive"`

	// TAXII limits each member's use of the TAXII 2.1 API (docs/taxii.md).
	TAXII taxii.Limits `yaml:"taxii"`

	// HTTPTLS serves the HTTP listener (TAXII, portal, /metrics) over TLS;
	// with ca_file, a client certificate signed by it names its member
	// (CN) to TAXII, and verify_clients requires one (httptls.go).
	HTTPTLS TLSConfig `yaml:"http_tls"`
	// HTTPAllowPlaintext lets an http_listen off loopback serve plain HTTP
	// (tokens and passwords in clear): only behind a TLS-terminating proxy.
	HTTPAllowPlaintext bool `yaml:"http_allow_plaintext"`

	MoU    *policy.MoU  `yaml:"-"` // set in code (tests); takes precedence over MoUFile and Dev
	Logger *slog.Logger `yaml:"-"` // default: discard
	// Warnings: see decide.WorkerConfig.Warnings.
	Warnings []string `yaml:"-"`
}

// readOldSpellings: the top-level ca_file of cluster mode is tls.ca_file.
func (c *Config) readOldSpellings(d *configfile.Decoder) {
	c.MoveCAFile(d, &c.TLS.CAFile)
	c.Archive.ReadOldSpellings(d, "archive")
}

// TLSConfig enables TLS on the NATS listener (tls) or the HTTP listener
// (http_tls); with VerifyClients, clients must also present a certificate
// signed by CAFile (mTLS). It is configfile.TLS, every client's block,
// plus verify_clients; with nats_url, tls is the hub's client side.
type TLSConfig struct {
	configfile.TLS `yaml:",inline"`
	VerifyClients  bool `yaml:"verify_clients"`
}

// Client is the block's client settings: with nats_url, how the hub
// reaches the cluster.
func (t TLSConfig) Client() configfile.TLS { return t.TLS }

// Duration reads "720h", "30m" or "30d" (days) from YAML: the one
// configuration Duration (internal/configfile).
type Duration = configfile.Duration

// Defaults, shared by --dev and production.
const (
	DefaultDataDir    = "./geneva-data"
	DefaultNATSListen = "127.0.0.1:4222"
	DefaultHTTPListen = "127.0.0.1:8080"
	DefaultMaxPayload = 8 << 20
	DefaultRetention  = Duration(30 * 24 * time.Hour)
	DefaultWorkers    = decide.DefaultWorkers
	// DefaultIntakeDedupWindow covers a hub crash and restart.
	DefaultIntakeDedupWindow = Duration(2 * time.Minute)
)

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.NATSListen == "" {
		c.NATSListen = DefaultNATSListen
	}
	if c.HTTPListen == "" {
		c.HTTPListen = DefaultHTTPListen
	}
	if c.MaxPayload == 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.IntakeDedupWindow == 0 {
		c.IntakeDedupWindow = DefaultIntakeDedupWindow
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.MoU == nil && c.MoUFile == "" && !c.Dev {
		bad("mou_file", "required (or run with --dev for the demo partnership)")
	}
	if _, _, err := hostPort(c.NATSListen); err != nil {
		bad("nats_listen", "%v", err)
	}
	if c.HTTPListen != "off" {
		if _, _, err := hostPort(c.HTTPListen); err != nil {
			bad("http_listen", "%v", err)
		} else {
			checkMetricsAccess(c, bad)
			checkHTTPTLS(c, bad)
		}
	}
	if c.MaxPayload < 1024 || c.MaxPayload > 64<<20 {
		bad("max_payload", "%d is outside 1024..67108864 bytes", c.MaxPayload)
	}
	if c.Retention < Duration(time.Hour) {
		bad("retention", "%v is below the 1h minimum", time.Duration(c.Retention))
	}
	if w := time.Duration(c.IntakeDedupWindow); w < time.Second || w > time.Hour {
		bad("intake_dedup_window", "%v is outside 1s..1h", w)
	}
	if c.Workers < 1 || c.Workers > 1024 {
		bad("workers", "%d is outside 1..1024", c.Workers)
	}
	c.TLS.Client().Check("tls", bad)
	if c.TLS.VerifyClients && c.TLS.CAFile == "" {
		bad("tls.ca_file", "required when verify_clients is true")
	}
	if c.MoUFile != "" {
		if _, err := os.Stat(c.MoUFile); err != nil {
			bad("mou_file", "%v", err)
		}
	}
	c.checkCluster(bad)
	if !c.Archive.IsZero() {
		for _, e := range c.Archive.Check() {
			bad("archive."+e.Field, "%s", e.Problem)
		}
		if least := archive.MinBatchBytes(int(c.MaxPayload)); c.Archive.BatchBytes > 0 && c.Archive.BatchBytes < least {
			bad("archive.batch_bytes", "%d cannot hold the largest NATS message (max_payload %d + 4096 for headers): set at least %d, or 0 to follow max_payload", c.Archive.BatchBytes, c.MaxPayload, least)
		}
	}
	return errors.Join(errs...)
}

// hostPort splits a listen address (configfile.HostPort).
var hostPort = configfile.HostPort

// HubConnection is how a process apart from the hub reaches the hub's NATS
// as its operator (package operator).
type HubConnection = operator.HubConnection

// LoadConfig reads production settings from a YAML file (snake_case keys,
// unknown keys are errors) and reports every problem at once, each
// prefixed with the file name and, where the file has it, the line; with an
// error, only Warnings is set.
func LoadConfig(path string) (Config, error) {
	var c Config
	warnings, err := configfile.Load(path, &c, c.readOldSpellings, func() error { return c.withDefaults().Validate() })
	if err != nil {
		return Config{Warnings: warnings}, err
	}
	c.Warnings = warnings
	return c, nil
}
