package configfile

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Load reads path (a bounded regular file, one strict YAML document) into
// v, then runs validate, and reports every problem at once as
// "file:line: field: problem" (the line of the field, or of its closest
// parent present in the file). Old spellings are read by old (nil: none;
// see Decoder.Deprecated) and come back as warnings, each
// "file:line: field: ...", with the errors too. The hub's, a worker
// node's and the archive bridge's files are read so.
func Load(path string, v any, old func(*Decoder), validate func() error) ([]string, error) {
	data, err := Read(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	root, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	d := NewDecoder(path)
	if root != nil {
		d.Decode(root, v, "")
	}
	if old != nil {
		old(d)
	}
	errs := d.Errs
	// Type errors leave the rest decoded, so validation adds its own
	// findings and the user sees every problem at once, each a
	// Error like the decoder's.
	if err := validate(); err != nil && len(d.Errs) < MaxErrors {
		for _, e := range unjoin(err) {
			field, _, _ := strings.Cut(e.Error(), ": ")
			errs = append(errs, &Error{File: path, Line: Line(d.Lines, field), Msg: e.Error()})
		}
	}
	if len(errs) == 0 {
		return d.Warnings, nil
	}
	return d.Warnings, errs
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// HostPort splits a listen address "host:port"; port -1 means "any free
// port" (tests).
func HostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%q: want host:port", addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: invalid port", addr)
	}
	return host, port, nil
}
