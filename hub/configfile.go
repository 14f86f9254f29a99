package hub

import (
	"fmt"
	"strings"

	"github.com/genevahub/geneva/internal/configfile"
)

// loadYAML reads path (configfile: a bounded regular file, one strict YAML
// document) into v, then runs validate, and reports every problem at once
// as "file:line: field: problem" (the line of the field, or of its closest
// parent present in the file). Old spellings are read (oldSpellings) and
// come back as warnings, each "file:line: field: ...", with the errors too.
func loadYAML(path string, v any, validate func() error) ([]string, error) {
	data, err := configfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	root, err := configfile.Parse(path, data)
	if err != nil {
		return nil, err
	}
	d := configfile.NewDecoder(path)
	if root != nil {
		d.Decode(root, v, "")
	}
	if o, ok := v.(oldSpellings); ok {
		o.readOldSpellings(d)
	}
	errs := d.Errs
	// Type errors leave the rest decoded, so validation adds its own
	// findings and the user sees every problem at once, each a
	// configfile.Error like the decoder's.
	if err := validate(); err != nil && len(d.Errs) < configfile.MaxErrors {
		for _, e := range unjoin(err) {
			field, _, _ := strings.Cut(e.Error(), ": ")
			errs = append(errs, &configfile.Error{File: path, Line: configfile.Line(d.Lines, field), Msg: e.Error()})
		}
	}
	if len(errs) == 0 {
		return d.Warnings, nil
	}
	return d.Warnings, errs
}

// oldSpellings is a file that still reads the spellings before the ones
// every Geneva file uses (configfile.Decoder.Deprecated).
type oldSpellings interface {
	readOldSpellings(d *configfile.Decoder)
}
