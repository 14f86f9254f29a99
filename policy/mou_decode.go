package policy

import (
	"github.com/genevahub/geneva/internal/configfile"
)

// ParseMoU decodes and validates an MoU file. name is the file name used
// in error messages. Decoding is strict and bounded (configfile.Parse):
// unknown fields, duplicate keys, aliases and wrong types are errors.
// Every problem is reported at once as ConfigErrors.
func ParseMoU(name string, data []byte) (*MoU, error) {
	root, err := configfile.Parse(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, ConfigErrors{{File: name, Msg: "the MoU is empty: an empty policy shares nothing"}}
	}
	d := configfile.NewDecoder(name)
	m := &MoU{file: name, lines: d.Lines}
	d.Decode(root, m, "")
	if len(d.Errs) > 0 {
		return nil, d.Errs
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadMoU reads (configfile.Read: a regular file of bounded size) and
// parses an MoU file.
func LoadMoU(path string) (*MoU, error) {
	data, err := configfile.Read(path)
	if err != nil {
		return nil, err
	}
	return ParseMoU(path, data)
}

// line is the line of the field at path, or of its nearest parent.
func (m *MoU) line(path string) int {
	return configfile.Line(m.lines, path)
}
