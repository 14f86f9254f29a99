package archive

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/genevahub/geneva/internal/configfile"
)

// Settings is the `archive:` section of a YAML configuration file: the
// file-friendly form of Config (snake_case keys, secrets and certificates
// by file name). Settings.Config turns it into a Config.
type Settings struct {
	Brokers         []string      `yaml:"brokers"`
	ObjectsTopic    TopicSettings `yaml:"objects_topic"`
	AuditTopic      TopicSettings `yaml:"audit_topic"`
	KeepTLPMarkings bool          `yaml:"keep_tlp_markings"`

	BatchSize    int           `yaml:"batch_size"`
	BatchBytes   int           `yaml:"batch_bytes"`
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	Compression  string        `yaml:"compression"`

	MinBackoff     time.Duration `yaml:"min_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	RetentionCheck time.Duration `yaml:"retention_check"`
	RetentionWarn  float64       `yaml:"retention_warn"`

	SASL SASLSettings `yaml:"sasl"`
	TLS  TLSSettings  `yaml:"tls"`

	// DeadLetterDir: see Config.DeadLetterDir. The hub's bridge defaults
	// to the hub's data directory.
	DeadLetterDir string `yaml:"dead_letter_dir"`
}

// TopicSettings is TopicConfig in YAML.
type TopicSettings struct {
	Name        string            `yaml:"name"`
	Partitions  int               `yaml:"partitions"`
	Replication int               `yaml:"replication"`
	RetentionMs int64             `yaml:"retention_ms"` // 0 or -1: forever
	Configs     map[string]string `yaml:"configs"`      // more topic configs
}

// SASLSettings names the mechanism and where the password is kept.
type SASLSettings struct {
	Mechanism    string `yaml:"mechanism"`
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
}

// TLSSettings turns TLS to the brokers on: Enabled alone trusts the system
// roots; CAFile replaces them; CertFile and KeyFile add a client
// certificate. In a file it is the tls block of every Geneva file
// (configfile.TLS) plus server_name: the block turns TLS on, `tls: {}`
// with the system roots (ReadOldSpellings).
type TLSSettings struct {
	Enabled        bool `yaml:"enabled"` // the old spelling; read with a warning
	configfile.TLS `yaml:",inline"`
	ServerName     string `yaml:"server_name"`
}

// ReadOldSpellings sets Enabled from the file at path (the section's
// name): a tls block present turns TLS on, as in every Geneva file; the
// old tls.enabled still decides, with a warning naming its line.
func (s *Settings) ReadOldSpellings(d *configfile.Decoder, path string) {
	block := configfile.Join(path, "tls")
	if _, old := d.Lines[configfile.Join(block, "enabled")]; old {
		d.Warn(configfile.Join(block, "enabled"), "deprecated spelling: drop it: a tls block turns TLS on, as in every Geneva file (tls: {} with the system roots)")
		return
	}
	if _, given := d.Lines[block]; given {
		s.TLS.Enabled = true
	}
}

// Enabled reports whether the section asks for a bridge: it has brokers.
// A section with only other settings is a mistake that Check reports.
func (s Settings) Enabled() bool { return len(s.Brokers) > 0 }

// IsZero reports an absent section.
func (s Settings) IsZero() bool {
	return s.Brokers == nil && s.ObjectsTopic.isZero() && s.AuditTopic.isZero() && !s.KeepTLPMarkings &&
		s.BatchSize == 0 && s.BatchBytes == 0 && s.BatchTimeout == 0 && s.WriteTimeout == 0 && s.Compression == "" &&
		s.MinBackoff == 0 && s.MaxBackoff == 0 && s.RetentionCheck == 0 && s.RetentionWarn == 0 &&
		s.SASL == (SASLSettings{}) && s.TLS == (TLSSettings{})
}

func (t TopicSettings) isZero() bool {
	return t.Name == "" && t.Partitions == 0 && t.Replication == 0 && t.RetentionMs == 0 && t.Configs == nil
}

// FieldError is one problem with one setting; Field is the YAML path below
// the section, e.g. "brokers" or "objects_topic.partitions".
type FieldError struct {
	Field, Problem string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// Check reports every problem of the section at once, without touching the
// network. Files (password, certificates) must exist and be readable.
func (s Settings) Check() []FieldError {
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if len(s.Brokers) == 0 {
		bad("brokers", "required (at least one Kafka host:port)")
	}
	for i, b := range s.Brokers {
		if colon := strings.LastIndexByte(b, ':'); colon <= 0 || colon == len(b)-1 {
			bad(fmt.Sprintf("brokers[%d]", i), "%q: want host:port", b)
		}
	}
	for _, nt := range []struct {
		name string
		t    TopicSettings
	}{{"objects_topic", s.ObjectsTopic}, {"audit_topic", s.AuditTopic}} {
		name, t := nt.name, nt.t
		if t.Partitions < 0 {
			bad(name+".partitions", "%d: must be at least 1", t.Partitions)
		}
		if t.Replication < 0 {
			bad(name+".replication", "%d: must be at least 1", t.Replication)
		}
		if t.RetentionMs < -1 {
			bad(name+".retention_ms", "%d: want -1 (forever) or a positive number of milliseconds", t.RetentionMs)
		}
	}
	if s.ObjectsTopic.Name != "" && s.ObjectsTopic.Name == s.AuditTopic.Name {
		bad("audit_topic.name", "%q is also the objects topic", s.AuditTopic.Name)
	}
	if s.BatchSize < 0 {
		bad("batch_size", "%d: must be at least 1", s.BatchSize)
	}
	if s.BatchBytes != 0 && s.BatchBytes < 1024 {
		bad("batch_bytes", "%d: must be at least 1024 (0 follows NATS max_payload)", s.BatchBytes)
	}
	for i, d := range []time.Duration{s.BatchTimeout, s.WriteTimeout, s.MinBackoff, s.MaxBackoff, s.RetentionCheck} {
		if d < 0 {
			bad([]string{"batch_timeout", "write_timeout", "min_backoff", "max_backoff", "retention_check"}[i], "%v: must be positive", d)
		}
	}
	if s.MinBackoff > 0 && s.MaxBackoff > 0 && s.MinBackoff > s.MaxBackoff {
		bad("min_backoff", "%v is above max_backoff %v", s.MinBackoff, s.MaxBackoff)
	}
	if s.RetentionWarn != 0 && (s.RetentionWarn <= 0 || s.RetentionWarn >= 1) {
		bad("retention_warn", "%v: must lie between 0 and 1", s.RetentionWarn)
	}
	if _, err := compressionCodec(s.Compression); err != nil {
		bad("compression", "%q: want none, gzip, snappy, lz4 or zstd", s.Compression)
	}
	switch strings.ToUpper(s.SASL.Mechanism) {
	case "":
		if s.SASL.Username != "" || s.SASL.PasswordFile != "" {
			bad("sasl.mechanism", "required with sasl.username or sasl.password_file")
		}
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if s.SASL.Username == "" {
			bad("sasl.username", "required with sasl.mechanism %s", s.SASL.Mechanism)
		}
		if s.SASL.PasswordFile == "" {
			bad("sasl.password_file", "required with sasl.mechanism %s", s.SASL.Mechanism)
		}
	default:
		bad("sasl.mechanism", "%q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", s.SASL.Mechanism)
	}
	if (s.TLS.CertFile == "") != (s.TLS.KeyFile == "") {
		bad("tls", "cert_file and key_file go together")
	}
	if !s.TLS.Enabled && (s.TLS.CAFile != "" || s.TLS.CertFile != "" || s.TLS.KeyFile != "" || s.TLS.ServerName != "") {
		bad("tls.enabled", "must be true when other tls settings are given")
	}
	for i, f := range []string{s.SASL.PasswordFile, s.TLS.CAFile, s.TLS.CertFile, s.TLS.KeyFile} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			bad([]string{"sasl.password_file", "tls.ca_file", "tls.cert_file", "tls.key_file"}[i], "%v", err)
		}
	}
	return errs
}

// MinBatchBytes is the smallest batch_bytes that holds the largest NATS
// message of a server with maxPayload (New refuses less).
func MinBatchBytes(maxPayload int) int { return maxPayload + recordAllowance }

// Config reads the files the settings name and returns the bridge's Config.
// Call Check first: Config reports only what reading the files finds.
func (s Settings) Config() (Config, error) {
	c := Config{
		Brokers:         s.Brokers,
		ObjectsTopic:    s.ObjectsTopic.config(),
		AuditTopic:      s.AuditTopic.config(),
		KeepTLPMarkings: s.KeepTLPMarkings,
		BatchSize:       s.BatchSize,
		BatchBytes:      s.BatchBytes,
		BatchTimeout:    s.BatchTimeout,
		WriteTimeout:    s.WriteTimeout,
		Compression:     s.Compression,
		MinBackoff:      s.MinBackoff,
		MaxBackoff:      s.MaxBackoff,
		RetentionCheck:  s.RetentionCheck,
		RetentionWarn:   s.RetentionWarn,
		SASL:            SASLConfig{Mechanism: s.SASL.Mechanism, Username: s.SASL.Username},
		DeadLetterDir:   s.DeadLetterDir,
	}
	if s.SASL.PasswordFile != "" {
		pw, err := os.ReadFile(s.SASL.PasswordFile)
		if err != nil {
			return Config{}, fmt.Errorf("archive: sasl.password_file: %w", err)
		}
		c.SASL.Password = strings.TrimRight(string(pw), "\r\n")
	}
	if s.TLS.Enabled {
		tc, err := s.TLS.config()
		if err != nil {
			return Config{}, err
		}
		c.TLS = tc
	}
	return c, nil
}

func (t TopicSettings) config() TopicConfig {
	return TopicConfig{Name: t.Name, Partitions: t.Partitions, ReplicationFactor: t.Replication,
		RetentionMs: t.RetentionMs, Extra: t.Configs}
}

func (t TLSSettings) config() (*tls.Config, error) {
	tc, err := t.ClientConfig("tls")
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	tc.ServerName = t.ServerName
	return tc, nil
}
