package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Parse checks that data is one strict YAML document and returns its top
// node (nil for an empty document). Refused, each with its line: bytes
// that are not UTF-8, a second document, anchors, aliases and merge keys
// (they let a small file expand into a huge one; write the value out), a
// key that is not a plain value, and a key repeated in a mapping (YAML
// would keep the last one silently). A repeated key is one problem
// however often it repeats. name is the file name used in messages.
func Parse(name string, data []byte) (*yaml.Node, error) {
	if len(data) > MaxBytes {
		return nil, tooLarge(name)
	}
	if i := invalidUTF8(data); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		col := i - bytes.LastIndexByte(data[:i], '\n')
		return nil, Errors{{File: name, Line: line, Msg: fmt.Sprintf("byte 0x%02x at column %d is not UTF-8: save the file as UTF-8", data[i], col)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, Errors{{File: name, Line: next.Line, Msg: "a second YAML document ('---'): a configuration file holds exactly one"}}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, nil
	}
	var errs Errors
	check(name, doc.Content[0], nil, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return doc.Content[0], nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// invalidUTF8 is the offset of the first byte that is not UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

func syntaxError(name string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Errors{{File: name, Line: line, Msg: msg[len(m[0]):]}}
	}
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return Errors{{File: name, Msg: msg}}
}

// at is where a node sits, rendered only for a message: building every
// path eagerly would cost depth × nodes.
type at struct {
	parent *at
	key    string
	index  int
}

func (a *at) String() string {
	if a == nil {
		return ""
	}
	p := a.parent.String()
	if a.key == "" {
		return fmt.Sprintf("%s[%d]", p, a.index)
	}
	return Join(p, a.key)
}

// check walks the document once, in time linear in its size.
func check(name string, n *yaml.Node, path *at, errs *Errors) {
	fail := func(n *yaml.Node, path *at, format string, args ...any) {
		errs.add(&Error{File: name, Line: n.Line, Field: path.String(), Msg: fmt.Sprintf(format, args...)})
	}
	if n.Anchor != "" {
		fail(n, path, "anchor &%s: anchors and aliases are not allowed in a configuration file; write the value out", n.Anchor)
	}
	switch n.Kind {
	case yaml.AliasNode:
		fail(n, path, "alias *%s: anchors and aliases are not allowed in a configuration file; write the value out", n.Value)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			check(name, c, &at{parent: path, index: i}, errs)
		}
	case yaml.MappingNode:
		first := make(map[string]int, len(n.Content)/2)
		reported := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			switch {
			case k.Kind != yaml.ScalarNode:
				fail(k, path, "a key must be a plain value, not a list or mapping")
				continue
			case k.Tag == "!!merge":
				fail(k, path, "merge key '<<': not allowed in a configuration file; write the keys out")
				continue
			}
			child := &at{parent: path, key: k.Value}
			if line, dup := first[k.Value]; dup {
				if !reported[k.Value] {
					reported[k.Value] = true
					fail(k, child, "duplicate field (first at line %d): a key may appear once in a mapping", line)
				}
			} else {
				first[k.Value] = k.Line
			}
			if k.Anchor != "" {
				check(name, k, child, errs)
			}
			check(name, n.Content[i+1], child, errs)
		}
	}
}
