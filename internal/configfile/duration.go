package configfile

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a length of time in any configuration file (YAML, and JSON
// options through encoding.TextUnmarshaler): Go's "30s", "5m", "720h", or
// whole days, "30d". A time.Duration field reads the same way.
type Duration time.Duration

// ParseDuration reads what Duration reads: a Go duration or whole days
// ("7d"). The settings that must be positive say so when validated.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > maxDays || n < -maxDays {
			return 0, fmt.Errorf("want a duration such as 30s, 5m or 30d, not %q", clip(s))
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 30s, 5m or 30d, not %q", clip(s))
	}
	return d, nil
}

// maxDays is the most days a time.Duration holds.
const maxDays = int64(1<<63-1) / int64(24*time.Hour)

// UnmarshalText reads a duration (JSON options, flags).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML reads a duration from a YAML scalar.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error { return d.UnmarshalText([]byte(n.Value)) }

// MarshalText writes Go's form ("720h0m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// clip shortens a hostile value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
