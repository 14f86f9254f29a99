package policy

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseMoU decodes and validates an MoU file. name is the file name used
// in error messages. Decoding is strict: unknown fields, duplicate keys and
// wrong types are errors. Every problem is reported at once as
// ConfigErrors.
func ParseMoU(name string, data []byte) (*MoU, error) {
	m := &MoU{file: name, lines: map[string]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, ConfigErrors{{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, ConfigErrors{{File: name, Msg: "the MoU is empty: an empty policy shares nothing"}}
	}
	d := decoder{file: name, lines: m.lines}
	d.value(doc.Content[0], reflect.ValueOf(m).Elem(), "")
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// decoder fills a struct from a YAML node tree by its yaml tags, recording
// the line of every field and collecting every problem.
type decoder struct {
	file  string
	lines map[string]int
	errs  ConfigErrors
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: n.Line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.lines[path] = n.Line
	if isNull(n) {
		return // the zero value; validation says whether it is required
	}
	if u, ok := v.Addr().Interface().(yaml.Unmarshaler); ok {
		// A field with more than one form (AcceptsFrom: a word or a list).
		if err := u.UnmarshalYAML(n); err != nil {
			d.fail(n, path, "%s", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a string")
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.fail(n, path, "want true or false, not %q", n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(strings.ReplaceAll(n.Value, "_", ""))
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.fail(n, path, "want an integer, not %q", n.Value)
			return
		}
		v.SetInt(int64(i))
	default:
		d.fail(n, path, "unsupported field type %s", v.Type())
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping")
		return
	}
	fields := map[string]int{}
	var known []string
	for i := 0; i < v.NumField(); i++ {
		tag := v.Type().Field(i).Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		known = append(known, tag)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := key.Value
		if path != "" {
			child = path + "." + key.Value
		}
		idx, ok := fields[key.Value]
		if !ok {
			d.fail(key, child, "unknown field (known: %s)", strings.Join(known, ", "))
			continue
		}
		if seen[key.Value] {
			d.fail(key, child, "duplicate field")
			continue
		}
		seen[key.Value] = true
		d.value(val, v.Field(idx), child)
	}
}

// line is the line of the field at path, or of its nearest parent.
func (m *MoU) line(path string) int {
	for path != "" {
		if l, ok := m.lines[path]; ok {
			return l
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return m.lines[""]
}
