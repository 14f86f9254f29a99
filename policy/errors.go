package policy

import (
	"errors"

	"github.com/genevahub/geneva/internal/configfile"
)

// ErrNoMoU is returned by NewEngine for a nil or empty MoU.
var ErrNoMoU = errors.New("no MoU: an empty policy shares nothing")

// ConfigError is one problem in an MoU file. It prints as
// "mou.yaml:12: members[1].jurisdiction: ..." (line and file when known).
type ConfigError = configfile.Error

// ConfigErrors is every problem found in one MoU, reported at once, one
// per line. errors.As finds each *ConfigError through Unwrap.
type ConfigErrors = configfile.Errors
