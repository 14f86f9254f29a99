package connectors

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/genevahub/geneva/policy"
)

// Spec describes one connector kind.
type Spec struct {
	Name      string                                            // lower-case, used as `kind` in config files
	Summary   string                                            // one line, shown by `geneva-connector list`
	NewSource func(raw json.RawMessage, d Deps) (Source, error) // nil if not a source
	NewSink   func(raw json.RawMessage, d Deps) (Sink, error)   // nil if not a sink
}

// Deps is what the runtime hands a connector.
type Deps struct {
	Logger   *slog.Logger
	Member   string      // the partner's member id
	MoU      *policy.MoU // the MoU pre-flight started with (identities for generated STIX)
	StateDir string      // a private directory for state that must survive restarts
	Stdout   io.Writer   // the stdout sink writes here (os.Stdout when nil)
	// MaxBytes is the largest item the hub can take now (nil: no limit):
	// a source refuses bigger input before reading it whole or answering.
	MaxBytes func() int64
	// CurrentMoU, when set, is the MoU pre-flight decides with now: the
	// daemon follows the hub's, so an identity may change while a source
	// runs. Read it through Deps.MoUNow.
	CurrentMoU func() *policy.MoU
}

// MoUNow is the MoU in force for pre-flight now (CurrentMoU), else MoU.
func (d Deps) MoUNow() *policy.MoU {
	if d.CurrentMoU != nil {
		if m := d.CurrentMoU(); m != nil {
			return m
		}
	}
	return d.MoU
}

// Registry holds connector kinds by name.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]Spec
}

// NewRegistry returns an empty registry (tests); Default holds every kind
// registered from init.
func NewRegistry() *Registry { return &Registry{specs: map[string]Spec{}} }

// Default is the registry kinds register into from init (connectors/all).
var Default = NewRegistry()

var kindName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// ValidName says whether s may name a kind or a config entry: lower-case
// letters, digits and '-', at most 32.
func ValidName(s string) bool { return kindName.MatchString(s) }

// Register adds a kind: ErrDuplicate if the name is taken.
func (r *Registry) Register(s Spec) error {
	switch {
	case !kindName.MatchString(s.Name):
		return fmt.Errorf("connector %q: name must match %s", s.Name, kindName)
	case s.NewSource == nil && s.NewSink == nil:
		return fmt.Errorf("connector %q: neither a source nor a sink", s.Name)
	case s.Summary == "":
		return fmt.Errorf("connector %q: summary required", s.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.specs[s.Name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, s.Name)
	}
	r.specs[s.Name] = s
	return nil
}

// MustRegister registers on Default and panics on a programming error
// (caddy's habit: it runs from init).
func MustRegister(s Spec) {
	if err := Default.Register(s); err != nil {
		panic(err)
	}
}

// Lookup finds a kind; the error names the known ones.
func (r *Registry) Lookup(name string) (Spec, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.specs[name]; ok {
		return s, nil
	}
	return Spec{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownConnector, name, strings.Join(r.namesLocked(), ", "))
}

// Specs lists every kind, by name.
func (r *Registry) Specs() []Spec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Spec, 0, len(r.specs))
	for _, s := range r.specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.specs))
	for n := range r.specs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
