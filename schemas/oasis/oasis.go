// Package oasis checks STIX 2.1 objects against the official OASIS STIX 2.1
// JSON schemas (oasis-open/cti-stix2-json-schemas), loaded at run time from a
// directory; Geneva never ships them. It is the conformance oracle of our own
// validator and an optional strict layer (schemas.Options.Extra).
//
// Like the OASIS stix2-validator, it checks each object on its own against
// the schema named after its type, never a bundle through bundle.json.
package oasis

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/genevahub/geneva/schemas"
)

// RuleSchema is the rule of every finding that comes from the OASIS schemas.
const RuleSchema = "oasis.schema"

// objectFolders hold one schema per STIX object type, named <type>.json.
var objectFolders = []string{"sdos", "sros", "observables"}

// commonObjectTypes are the object types whose schemas live in common/ beside
// the building blocks (core.json, timestamp.json, ...), which are not types.
var commonObjectTypes = []string{"marking-definition", "language-content", "extension-definition"}

// Checker validates STIX objects against the OASIS schemas. It is safe for
// concurrent use.
type Checker struct {
	byType     map[string]*jsonschema.Schema
	core       *jsonschema.Schema // custom SDO/SRO-like objects
	observable *jsonschema.Schema // custom SCO-like objects
	identifier *jsonschema.Schema // the bundle's id
}

var _ schemas.ObjectChecker = (*Checker)(nil)

// Load compiles the schemas under dir, which has the layout of the
// repository's schemas/ folder (common/, sdos/, sros/, observables/).
func Load(dir string) (*Checker, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("oasis schemas %s: %w", dir, err)
	}
	l, err := newDirLoader(abs)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(l)
	compile := func(rel string) (*jsonschema.Schema, error) {
		s, err := c.Compile(l.location(filepath.Join(abs, filepath.FromSlash(rel))))
		if err != nil {
			return nil, fmt.Errorf("oasis schemas %s: compile %s: %w", dir, rel, err)
		}
		return s, nil
	}
	k := &Checker{byType: map[string]*jsonschema.Schema{}}
	if k.core, err = compile("common/core.json"); err != nil {
		return nil, err
	}
	if k.observable, err = compile("common/cyber-observable-core.json"); err != nil {
		return nil, err
	}
	if k.identifier, err = compile("common/identifier.json"); err != nil {
		return nil, err
	}
	for _, folder := range objectFolders {
		files, err := filepath.Glob(filepath.Join(abs, folder, "*.json"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("oasis schemas %s: no schemas in %s/ (is this the schemas folder of cti-stix2-json-schemas?)", dir, folder)
		}
		for _, f := range files {
			typ := strings.TrimSuffix(filepath.Base(f), ".json")
			if k.byType[typ], err = compile(folder + "/" + typ + ".json"); err != nil {
				return nil, err
			}
		}
	}
	for _, typ := range commonObjectTypes {
		if k.byType[typ], err = compile("common/" + typ + ".json"); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// dirLoader serves the schema files of one directory. The OASIS schemas
// declare http(s) "$id"s (raw.githubusercontent.com/...), so their relative
// "$ref"s such as "../common/core.json" resolve to those URLs, not to file
// URLs; the loader maps each declared "$id" back to its file, so nothing is
// ever fetched from the network.
type dirLoader struct {
	files map[string]string // "$id" or file URL -> path
	ids   map[string]string // path -> its "$id" (compile by "$id" so each file is one root)
}

func newDirLoader(dir string) (*dirLoader, error) {
	l := &dirLoader{files: map[string]string{}, ids: map[string]string{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "examples" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		doc, err := readJSON(path)
		if err != nil {
			return err
		}
		l.files[fileURL(path)] = path
		if m, ok := doc.(map[string]any); ok {
			if id, ok := m["$id"].(string); ok && id != "" {
				l.files[strings.TrimSuffix(id, "#")] = path
				l.ids[path] = strings.TrimSuffix(id, "#")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oasis schemas %s: %w", dir, err)
	}
	if len(l.files) == 0 {
		return nil, fmt.Errorf("oasis schemas %s: no .json files", dir)
	}
	return l, nil
}

// location is the URL to compile a file by: its "$id" when it has one, so
// that references to it from other schemas reach the same compiled root.
func (l *dirLoader) location(path string) string {
	if id, ok := l.ids[path]; ok {
		return id
	}
	return fileURL(path)
}

func (l *dirLoader) Load(u string) (any, error) {
	path, ok := l.files[u]
	if !ok {
		return nil, fmt.Errorf("%s is not a schema in the schemas folder", u)
	}
	return readJSON(path)
}

func readJSON(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
