package hub

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadYAML decodes path into v (unknown keys are errors), then runs
// validate, and reports every problem at once as "file:line: field: problem"
// (the line of the field, or of its closest parent present in the file).
func loadYAML(path string, v any, validate func() error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%s: %s", path, fileLine(err.Error(), path))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []error
	if err := dec.Decode(v); err != nil {
		// A TypeError still decodes everything else, so validation below
		// can add its own findings and the user sees every problem at once.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("%s", fileLine(err.Error(), path))
		}
		for _, e := range te.Errors {
			errs = append(errs, errors.New(fileLine(e, path)))
		}
	}
	if err := validate(); err != nil {
		for _, e := range unjoin(err) {
			field, _, _ := strings.Cut(e.Error(), ": ")
			if line := lineOf(&root, field); line > 0 {
				errs = append(errs, fmt.Errorf("%s:%d: %w", path, line, e))
			} else {
				errs = append(errs, fmt.Errorf("%s: %w", path, e))
			}
		}
	}
	return errors.Join(errs...)
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// fileLine turns yaml's "line 5: problem" into "file:5: problem".
func fileLine(msg, path string) string {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return path + ":" + m[1] + ": " + msg[len(m[0]):]
	}
	return path + ": " + msg
}

var indexRE = regexp.MustCompile(`^([^\[]*)(?:\[(\d+)\])?$`)

// lineOf finds the line of a dotted field path ("archive.brokers[1]") in a
// YAML document, or of its closest parent present; 0 when not even the
// first key is there.
func lineOf(root *yaml.Node, field string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(field, ".") {
		m := indexRE.FindStringSubmatch(part)
		if m == nil || n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == m[1] {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			return line
		}
		n = next
		if m[2] != "" {
			idx, _ := strconv.Atoi(m[2])
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}
