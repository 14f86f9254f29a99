package configfile

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Decoder fills Go values from a node tree that Parse accepted, by their
// yaml tags (",inline" included), recording the line of every field path
// ("members[1].id") in Lines and collecting every problem in Errs: unknown
// fields, wrong types. It never follows an alias (Parse refused them), so
// its work is linear in the file.
type Decoder struct {
	File  string
	Lines map[string]int
	Errs  Errors
	// Warnings are problems that do not stop the file from being used,
	// such as an old spelling (see Deprecated), as "file:line: field: ...".
	Warnings []string
}

// NewDecoder is a Decoder for the named file.
func NewDecoder(file string) *Decoder {
	return &Decoder{File: file, Lines: map[string]int{}}
}

// Fail records a problem at n (or line 0 for a nil n).
func (d *Decoder) Fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.Errs.add(&Error{File: d.File, Line: line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

// Deprecated moves an old spelling's value to the current one: when the
// file used the old field (oldPath, holding *old), it warns and sets *cur,
// or fails if the file has both.
func (d *Decoder) Deprecated(oldPath, curPath string, old, cur *string) {
	if *old == "" {
		return
	}
	if *cur != "" {
		d.Errs.add(&Error{File: d.File, Line: d.Lines[oldPath], Field: oldPath, Msg: "the old spelling of " + curPath + ", which is given too: keep only " + curPath})
		return
	}
	d.Warn(oldPath, "deprecated spelling: write %s (the spelling of every Geneva file)", curPath)
	*cur, *old = *old, ""
}

// Decode fills the value ptr points to from n; path names n in messages.
func (d *Decoder) Decode(n *yaml.Node, ptr any, path string) {
	d.value(n, reflect.ValueOf(ptr).Elem(), path)
}

var (
	durationType    = reflect.TypeOf(time.Duration(0))
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

func (d *Decoder) value(n *yaml.Node, v reflect.Value, path string) {
	d.Lines[path] = n.Line
	if isNull(n) {
		return // the zero value; validation says whether it is required
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.Fail(n, path, "%s", yamlLineRE.ReplaceAllString(err.Error(), ""))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.value(n, v.Elem(), path)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.Fail(n, path, "want a list")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		d.mapValue(n, v, path)
	case reflect.Interface:
		v.Set(reflect.ValueOf(d.Any(n, path)))
	default:
		d.scalar(n, v, path)
	}
}

func (d *Decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.Fail(n, path, "want %s, not a %s", want(v.Type()), kindName(n))
		return
	}
	if v.Type() == durationType {
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.Fail(n, path, "%s", err)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	if v.Kind() == reflect.String {
		v.SetString(n.Value) // any plain value reads as text
		return
	}
	// A single scalar: yaml's own rules for numbers and booleans, no
	// alias to follow, constant work; yaml would truncate a fraction into
	// an integer (workers: 0.5 as 0), so that is refused here.
	if err := n.Decode(v.Addr().Interface()); err != nil || (want(v.Type()) == "an integer" && n.ShortTag() == "!!float") {
		d.Fail(n, path, "want %s, not %q", want(v.Type()), n.Value)
	}
}

func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	}
	return "a value"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

// fields maps each yaml key of a struct type onto its field index path,
// descending into ",inline" fields. As in Go, a struct's own field hides
// an inlined one of the same key (the hub's tls block hides that of its
// inlined HubConnection).
func fields(t reflect.Type) (map[string][]int, []string) {
	out := map[string][]int{}
	var names []string
	var inline []int
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			inline = append(inline, i)
			continue
		}
		if name == "" {
			continue
		}
		out[name] = []int{i}
		names = append(names, name)
	}
	for _, i := range inline {
		sub, _ := fields(t.Field(i).Type)
		for k, idx := range sub {
			if _, hidden := out[k]; !hidden {
				out[k] = append([]int{i}, idx...)
				names = append(names, k)
			}
		}
	}
	return out, names
}

func (d *Decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.Fail(n, path, "want a mapping, not a %s", kindName(n))
		return
	}
	idx, names := fields(v.Type())
	slices.Sort(names)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := Join(path, key.Value)
		field, ok := idx[key.Value]
		if !ok {
			d.Fail(key, child, "unknown field (known: %s)", strings.Join(names, ", "))
			continue
		}
		d.value(val, v.FieldByIndex(field), child)
		d.Lines[child] = key.Line // where a missing sub-field belongs
	}
}

func (d *Decoder) mapValue(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.Fail(n, path, "want a mapping, not a %s", kindName(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := Join(path, key.Value)
		k := reflect.New(v.Type().Key()).Elem()
		d.value(key, k, child)
		e := reflect.New(v.Type().Elem()).Elem()
		d.value(val, e, child)
		m.SetMapIndex(k, e)
	}
	v.Set(m)
}

// Any converts n into plain Go values (map[string]any, []any, string,
// int, float64, bool, nil), as encoding/json would hold them.
func (d *Decoder) Any(n *yaml.Node, path string) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = d.Any(n.Content[i+1], Join(path, n.Content[i].Value))
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = d.Any(c, fmt.Sprintf("%s[%d]", path, i))
		}
		return s
	}
	var x any
	if err := n.Decode(&x); err != nil {
		d.Fail(n, path, "%s", yamlLineRE.ReplaceAllString(err.Error(), ""))
	}
	return x
}

// Join is the path of key under path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Line is the line of the field at path, or of its nearest parent, from
// lines recorded by a Decoder; 0 when not even its top-level key is in
// the file (a missing top-level field has no line to point at).
func Line(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return 0
}
