package daemon

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy/tlp"
)

// Config is the connector's one YAML file.
type Config struct {
	Hub      HubConfig     `yaml:"hub"`
	MoU      string        `yaml:"mou"` // optional local MoU copy: pre-flight follows the hub's (hubmou.go), this only until the first fetch
	Defaults Defaults      `yaml:"defaults"`
	Spool    SpoolConfig   `yaml:"spool"`
	HTTP     HTTPConfig    `yaml:"http"`
	Sources  []EntryConfig `yaml:"sources"`
	Sinks    []EntryConfig `yaml:"sinks"`

	File string `yaml:"-"` // where it was loaded from, for messages
	// Warnings are what the file should change but may keep for now (old
	// spellings), each "file:line: field: ..."; the daemon logs them.
	Warnings []string `yaml:"-"`
}

// HubConfig is how the connector reaches the hub.
type HubConfig struct {
	Server      string    `yaml:"server"`      // nats://host:4222 (comma-separated for several)
	Credentials string    `yaml:"credentials"` // the member's creds file
	TLS         TLSConfig `yaml:"tls"`
	// JetStreamDomain is the hub cluster's JetStream domain when the
	// connector reaches the hub through a NATS leaf node at the partner's
	// site (server: that leaf node); "" when it connects to the hub itself.
	// Named as the servers' own jetstream {domain: ...} setting.
	JetStreamDomain string `yaml:"jetstream_domain"`
	// MoURefresh is how often the connector asks the hub for the MoU in
	// force (default 1m; a receipt decided under another version asks at once).
	MoURefresh time.Duration `yaml:"mou_refresh"`
}

// TLSConfig is optional; CAFile alone verifies the hub, CertFile and
// KeyFile add a client certificate. The keys are spelled as in every
// Geneva file (the hub's tls block, the archive's).
type TLSConfig struct {
	configfile.TLS `yaml:",inline"`

	// The spellings before the one above, read with a deprecation warning.
	OldCA   string `yaml:"ca"`
	OldCert string `yaml:"cert"`
	OldKey  string `yaml:"key"`
}

// Defaults apply to the partner's own content: unmarked objects get TLP,
// and every submission is addressed as below.
type Defaults struct {
	TLP       string   `yaml:"tlp"`       // clear, green, amber, amber+strict, red; "" leaves unmarked content unmarked
	Community string   `yaml:"community"` // address this community
	To        []string `yaml:"to"`        // named recipients (needed for amber+strict and red)
	Anonymous bool     `yaml:"anonymous"`
}

// SpoolConfig bounds the local store-and-forward spool.
type SpoolConfig struct {
	Dir      string `yaml:"dir"`
	MaxItems int    `yaml:"max_items"` // default 10000
	MaxBytes int64  `yaml:"max_bytes"` // default 1 GiB
}

// HTTPConfig is where /healthz and /metrics listen ("" for none).
type HTTPConfig struct {
	Listen string `yaml:"listen"`
	// StuckAfter: /healthz answers 503 "stuck" once the head of the
	// outbound queue has failed to reach the hub for this long (default 2m).
	StuckAfter time.Duration `yaml:"stuck_after"`
}

// EntryConfig is one source or sink: runtime keys plus the kind's options.
type EntryConfig struct {
	Name             string          `yaml:"name"`
	Kind             string          `yaml:"kind"`
	Reach            string          `yaml:"reach"`             // sinks: organization, clients, community, public
	NamedIndividuals bool            `yaml:"named_individuals"` // sinks: may receive TLP:RED
	Options          json.RawMessage `yaml:"-"`                 // every other key, as JSON

	line     int
	keyLines map[string]int
}

// LoadConfig reads and checks a config file, building every source and
// sink once (no I/O) so their options are validated too. Every problem is
// reported at once, each as a *ConfigError. The file is read and parsed by
// configfile: a bounded regular file, one strict YAML document.
func LoadConfig(path string, reg *connectors.Registry) (*Config, error) {
	data, err := configfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data, reg)
}

// ParseConfig is LoadConfig on bytes; name is used in messages.
func ParseConfig(name string, data []byte, reg *connectors.Registry) (*Config, error) {
	root, err := configfile.Parse(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, &ConfigError{File: name, Msg: "empty config"}
	}
	d := &decoder{configfile.NewDecoder(name)}
	cfg := &Config{File: name}
	if root.Kind != yaml.MappingNode {
		d.Fail(root, "", "want a mapping, not a list or value")
		return nil, d.Errs
	}
	// sources and sinks carry each kind's own options: read by hand.
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "sources":
			d.Lines[k.Value] = k.Line
			cfg.Sources = d.entries(v, k.Value)
		case "sinks":
			d.Lines[k.Value] = k.Line
			cfg.Sinks = d.entries(v, k.Value)
		default:
			rest.Content = append(rest.Content, k, v)
		}
	}
	d.Decode(rest, cfg, "")
	t := &cfg.Hub.TLS
	d.Deprecated("hub.tls.ca", "hub.tls.ca_file", &t.OldCA, &t.CAFile)
	d.Deprecated("hub.tls.cert", "hub.tls.cert_file", &t.OldCert, &t.CertFile)
	d.Deprecated("hub.tls.key", "hub.tls.key_file", &t.OldKey, &t.KeyFile)
	cfg.Warnings = d.Warnings
	cfg.withDefaults()
	if len(d.Errs) < configfile.MaxErrors {
		d.validate(cfg, reg)
	}
	if len(d.Errs) > 0 {
		return nil, d.Errs
	}
	return cfg, nil
}

func (c *Config) withDefaults() {
	if c.Spool.MaxItems == 0 {
		c.Spool.MaxItems = 10000
	}
	if c.Spool.MaxBytes == 0 {
		c.Spool.MaxBytes = 1 << 30
	}
	if c.Hub.MoURefresh <= 0 {
		c.Hub.MoURefresh = time.Minute
	}
	if c.HTTP.StuckAfter == 0 {
		c.HTTP.StuckAfter = 2 * time.Minute
	}
}

type decoder struct{ *configfile.Decoder }

func (d *decoder) fail(line int, field, format string, args ...any) {
	d.Fail(&yaml.Node{Line: line}, field, format, args...)
}

// entries decodes a list of {name, kind, ...}.
func (d *decoder) entries(n *yaml.Node, path string) []EntryConfig {
	if n.Kind != yaml.SequenceNode {
		d.fail(n.Line, path, "must be a list")
		return nil
	}
	out := make([]EntryConfig, 0, len(n.Content))
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		e := EntryConfig{line: item.Line, keyLines: map[string]int{}}
		if item.Kind != yaml.MappingNode {
			d.fail(item.Line, p, "must be a mapping with name and kind")
			out = append(out, e)
			continue
		}
		opts := map[string]any{}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			e.keyLines[k.Value] = k.Line
			switch k.Value {
			case "name":
				d.Decode(v, &e.Name, configfile.Join(p, k.Value))
			case "kind":
				d.Decode(v, &e.Kind, configfile.Join(p, k.Value))
			case "reach":
				d.Decode(v, &e.Reach, configfile.Join(p, k.Value))
			case "named_individuals":
				d.Decode(v, &e.NamedIndividuals, configfile.Join(p, k.Value))
			default:
				opts[k.Value] = d.Any(v, configfile.Join(p, k.Value))
			}
		}
		raw, err := json.Marshal(opts)
		if err != nil {
			d.fail(item.Line, p, "options: %v", err)
		}
		e.Options = raw
		out = append(out, e)
	}
	return out
}

var memberID = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

func (d *decoder) validate(c *Config, reg *connectors.Registry) {
	line := func(path string) int { return configfile.Line(d.Lines, path) }
	if c.Hub.Server == "" {
		d.fail(line("hub"), "hub.server", "required (nats://host:4222)")
	}
	for _, u := range strings.Split(c.Hub.Server, ",") {
		if pu, err := url.Parse(strings.TrimSpace(u)); c.Hub.Server != "" && (err != nil || pu.Host == "" ||
			!slices.Contains([]string{"nats", "tls", "ws", "wss"}, pu.Scheme)) {
			d.fail(line("hub.server"), "hub.server", "%q is not a nats://, tls://, ws:// or wss:// URL", strings.TrimSpace(u))
		}
	}
	if c.Hub.Credentials == "" {
		d.fail(line("hub"), "hub.credentials", "required (the member's .creds file)")
	}
	if err := wire.CheckJetStreamDomain(c.Hub.JetStreamDomain); err != nil {
		d.fail(line("hub.jetstream_domain"), "hub.jetstream_domain", "%v", err)
	}
	if (c.Hub.TLS.CertFile == "") != (c.Hub.TLS.KeyFile == "") {
		d.fail(line("hub.tls"), "hub.tls", "cert_file and key_file go together")
	}
	if c.Defaults.TLP != "" {
		if _, err := tlp.ParseLevel(c.Defaults.TLP); err != nil {
			d.fail(line("defaults.tlp"), "defaults.tlp", "%v", err)
		}
	}
	for i, to := range c.Defaults.To {
		if !memberID.MatchString(to) {
			d.fail(line("defaults.to"), fmt.Sprintf("defaults.to[%d]", i), "%q is not a member id", to)
		}
	}
	if c.Spool.Dir == "" {
		d.fail(line("spool"), "spool.dir", "required")
	}
	if c.Spool.MaxItems < 0 || c.Spool.MaxBytes < 0 {
		d.fail(line("spool"), "spool", "max_items and max_bytes must be positive")
	}
	if len(c.Sources) == 0 && len(c.Sinks) == 0 {
		d.fail(0, "", "no sources and no sinks: nothing to do")
	}
	names := map[string]bool{}
	d.checkEntries(c.Sources, "sources", names, reg, true)
	d.checkEntries(c.Sinks, "sinks", names, reg, false)
}

func (d *decoder) checkEntries(es []EntryConfig, path string, names map[string]bool, reg *connectors.Registry, source bool) {
	for i, e := range es {
		p := fmt.Sprintf("%s[%d]", path, i)
		at := func(key string) int {
			if l, ok := e.keyLines[key]; ok {
				return l
			}
			return e.line
		}
		switch {
		case e.Name == "":
			d.fail(e.line, p+".name", "required")
		case !connectors.ValidName(e.Name):
			d.fail(at("name"), p+".name", "%q: use lower-case letters, digits and '-'", e.Name)
		case names[e.Name]:
			d.fail(at("name"), p+".name", "%q is used twice", e.Name)
		}
		names[e.Name] = true
		if e.Kind == "" {
			d.fail(e.line, p+".kind", "required")
			continue
		}
		spec, err := reg.Lookup(e.Kind)
		if err != nil {
			d.fail(at("kind"), p+".kind", "%v", err)
			continue
		}
		if source && spec.NewSource == nil {
			d.fail(at("kind"), p+".kind", "%q is not a source", e.Kind)
			continue
		}
		if !source {
			if spec.NewSink == nil {
				d.fail(at("kind"), p+".kind", "%q is not a sink", e.Kind)
				continue
			}
			if _, err := ParseReach(e.Reach); err != nil {
				d.fail(at("reach"), p+".reach", "%v", err)
			}
		} else if e.Reach != "" || e.NamedIndividuals {
			d.fail(at("reach"), p+".reach", "only sinks have a reach")
		}
		// Build once (constructors do no I/O) so the kind validates its options.
		err = buildCheck(spec, e, source, connectors.Deps{Logger: discardLogger(), StateDir: os.TempDir()})
		for _, msg := range splitErrors(err) {
			field, rest, ok := strings.Cut(msg, ": ")
			if ok && !strings.Contains(field, " ") {
				d.fail(at(strings.SplitN(field, ".", 2)[0]), p+"."+field, "%s", rest)
			} else {
				d.fail(e.line, p, "%s", msg)
			}
		}
	}
}

func buildCheck(spec connectors.Spec, e EntryConfig, source bool, deps connectors.Deps) error {
	if source {
		s, err := spec.NewSource(e.Options, deps)
		if err == nil {
			_ = s.Close(closedCtx())
		}
		return err
	}
	s, err := spec.NewSink(e.Options, deps)
	if err == nil {
		_ = s.Close(closedCtx())
	}
	return err
}

func splitErrors(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ConfigError is one problem in a config file, with its location
// (Field e.g. sinks[1].url).
type ConfigError = configfile.Error
