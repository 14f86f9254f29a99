// Package oasis checks STIX 2.1 objects against the official OASIS STIX 2.1
// JSON schemas (oasis-open/cti-stix2-json-schemas): the copy vendored in
// stix2-json-schemas/ and embedded in the binary (Embedded), or another copy
// loaded from a directory (Load). It is the conformance oracle of our own
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
	"path"
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
	return load(os.DirFS(abs), filepath.ToSlash(abs), dir)
}

// load compiles the schemas of fsys. root is the absolute slash path fsys
// stands for (it names the files without an "$id"), name is what errors call
// the folder.
func load(fsys fs.FS, root, name string) (*Checker, error) {
	l, err := newFSLoader(fsys, root, name)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(l)
	compile := func(rel string) (*jsonschema.Schema, error) {
		s, err := c.Compile(l.location(rel))
		if err != nil {
			return nil, fmt.Errorf("oasis schemas %s: compile %s: %w", name, rel, err)
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
		files, err := fs.Glob(fsys, folder+"/*.json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("oasis schemas %s: no schemas in %s/ (is this the schemas folder of cti-stix2-json-schemas?)", name, folder)
		}
		for _, f := range files {
			typ := strings.TrimSuffix(path.Base(f), ".json")
			if k.byType[typ], err = compile(f); err != nil {
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

// fsLoader serves the schema files of one folder. The OASIS schemas
// declare http(s) "$id"s (raw.githubusercontent.com/...), so their relative
// "$ref"s such as "../common/core.json" resolve to those URLs, not to file
// URLs; the loader maps each declared "$id" back to its file, so nothing is
// ever fetched from the network.
type fsLoader struct {
	fsys  fs.FS
	root  string
	files map[string]string // "$id" or file URL -> path in fsys
	ids   map[string]string // path in fsys -> its "$id" (compile by "$id" so each file is one root)
}

func newFSLoader(fsys fs.FS, root, name string) (*fsLoader, error) {
	l := &fsLoader{fsys: fsys, root: root, files: map[string]string{}, ids: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "examples" {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		doc, err := l.read(p)
		if err != nil {
			return err
		}
		l.files[l.fileURL(p)] = p
		if m, ok := doc.(map[string]any); ok {
			if id, ok := m["$id"].(string); ok && id != "" {
				l.files[strings.TrimSuffix(id, "#")] = p
				l.ids[p] = strings.TrimSuffix(id, "#")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oasis schemas %s: %w", name, err)
	}
	if len(l.files) == 0 {
		return nil, fmt.Errorf("oasis schemas %s: no .json files", name)
	}
	return l, nil
}

// location is the URL to compile a file by: its "$id" when it has one, so
// that references to it from other schemas reach the same compiled root.
func (l *fsLoader) location(p string) string {
	if id, ok := l.ids[p]; ok {
		return id
	}
	return l.fileURL(p)
}

func (l *fsLoader) Load(u string) (any, error) {
	p, ok := l.files[u]
	if !ok {
		return nil, fmt.Errorf("%s is not a schema in the schemas folder", u)
	}
	return l.read(p)
}

func (l *fsLoader) read(p string) (any, error) {
	f, err := l.fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path.Join(l.root, p), err)
	}
	return doc, nil
}

func (l *fsLoader) fileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: path.Join(l.root, p)}).String()
}
