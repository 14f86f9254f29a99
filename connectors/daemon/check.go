package daemon

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/hub/wire"
)

// maxCredsBytes bounds the creds file: a few hundred bytes in practice.
const maxCredsBytes = 64 << 10

// loadPolicy reads what New and Check both need: the member the
// credentials name and the MoU pre-flight starts with (pickPolicy), which
// must list that member. With fetch false it never dials the hub and may
// find no MoU (the first start fetches it).
func loadPolicy(cfg *Config, fetch bool) (string, *startPolicy, error) {
	fi, err := os.Stat(cfg.Hub.Credentials)
	switch {
	case err != nil:
		return "", nil, fmt.Errorf("creds: %w", err)
	case !fi.Mode().IsRegular() || fi.Size() > maxCredsBytes:
		return "", nil, fmt.Errorf("creds %s: not a regular file of at most %d bytes", cfg.Hub.Credentials, maxCredsBytes)
	}
	member, err := wire.CredsMember(cfg.Hub.Credentials)
	if err != nil {
		return "", nil, err
	}
	p, err := pickPolicy(cfg, member, fetch)
	return member, p, err
}

// Check validates everything Run will use beyond the config file itself,
// without opening the spool or any port or dialing the hub: the
// credentials name a member of the MoU pre-flight starts with (the cached
// hub MoU, else the mou: file; with neither, the first run fetches it and
// the kinds are checked without it), the MoU parses, and every source and
// sink builds against it
// (a webhook max_bytes above the MoU's max_bytes, for one). Every problem
// is reported at once.
func Check(cfg *Config, reg *connectors.Registry) error {
	member, p, err := loadPolicy(cfg, false)
	if err != nil {
		return err
	}
	mou := p.mou // nil before the first fetch: the kinds' own checks only
	budget := func() int64 {
		if mou == nil {
			return math.MaxInt64
		}
		return int64(mou.Rules.Limits.MaxBytes)
	}
	deps := connectors.Deps{Logger: discardLogger(), Member: member, MoU: mou, StateDir: os.TempDir(), MaxBytes: budget}
	var errs []error
	for _, list := range []struct {
		entries []EntryConfig
		source  bool
	}{{cfg.Sources, true}, {cfg.Sinks, false}} {
		for _, e := range list.entries {
			spec, err := reg.Lookup(e.Kind)
			if err == nil {
				err = buildCheck(spec, e, list.source, deps)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s %q: %w", cfg.File, role(list.source), e.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

func role(source bool) string {
	if source {
		return "source"
	}
	return "sink"
}
