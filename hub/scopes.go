package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/policy"
)

// Shared scopes ("all", "c.<community>") are resolved at delivery time, by
// each member's inbox filters, and JetStream applies a widened filter from
// the consumer's position on. Filters on the scope alone would let a member
// that joins a scope receive what was shared there before it joined and
// still lies ahead of its inbox's position, and what was decided under the
// old MoU in the moment of the change. So a share on a shared scope carries
// in its subject a generation: a token of the scope's member set when it
// was decided (its audience and its sender). A member's filters name only
// the generations whose set holds it, and only for the scopes it is in
// now. The hub keeps every set each scope has had (BucketHub, keyScopes):
// an inbox may still hold shares of any of them.

// keyScopes holds the scope history in BucketHub, JSON.
const keyScopes = "scopes"

// scopeGeneration is the subject token of one member set of a scope.
func scopeGeneration(scope string, members []string) string {
	sum := sha256.Sum256([]byte(scope + "|" + strings.Join(members, ",")))
	return "g" + hex.EncodeToString(sum[:6])
}

// routeScope is the scope part of a route's subject: a shared scope with
// the generation of its set at decision time, a named one ("m.<member>")
// as it is.
func routeScope(rt policy.Route, sender string) string {
	if strings.HasPrefix(rt.Scope, "m.") {
		return rt.Scope
	}
	set := append(slices.Clone(rt.Audience), sender)
	slices.Sort(set)
	return rt.Scope + "." + scopeGeneration(rt.Scope, set)
}

// scopeHistory is every member set each shared scope has had.
type scopeHistory struct {
	mu     sync.Mutex
	loaded bool
	sets   map[string][][]string // scope → sorted member sets, oldest first
}

// record adds the sets of the MoU about to be in force and stores the
// history when it grew. It must run before the MoU decides anything and
// before the inbox filters are set: a generation no filter names reaches
// nobody.
func (s *scopeHistory) record(ctx context.Context, kv jetstream.KeyValue, scopes map[string][]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		e, err := kv.Get(ctx, keyScopes)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			s.sets = map[string][][]string{}
		case err != nil:
			return fmt.Errorf("scope history: %w", err)
		default:
			if err := json.Unmarshal(e.Value(), &s.sets); err != nil {
				return fmt.Errorf("scope history %s/%s: %w", BucketHub, keyScopes, err)
			}
		}
		s.loaded = true
	}
	if !s.add(scopes) {
		return nil
	}
	data, err := json.Marshal(s.sets)
	if err != nil {
		return fmt.Errorf("scope history: %w", err)
	}
	if _, err := kv.Put(ctx, keyScopes, data); err != nil {
		return fmt.Errorf("scope history: %w", err)
	}
	return nil
}

// add records the sets not seen yet and reports whether there were any.
// The caller holds s.mu.
func (s *scopeHistory) add(scopes map[string][]string) (grew bool) {
	for scope, set := range scopes {
		if len(set) > 0 && !slices.ContainsFunc(s.sets[scope], func(old []string) bool { return slices.Equal(old, set) }) {
			s.sets[scope] = append(s.sets[scope], slices.Clone(set))
			grew = true
		}
	}
	return grew
}

// inboxFilters is exactly what policy lets member m see on GENEVA_SHARE
// under the scopes in force: shares of every generation of its shared
// scopes that held it, from any other member of that generation, and parts
// for it by name. Anonymous parts are always addressed by name (see
// shareMessages), so the sender of one never gets it back either.
func (s *scopeHistory) inboxFilters(scopes map[string][]string, m string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var f []string
	for scope, now := range scopes {
		if !slices.Contains(now, m) {
			continue // left, or never joined: nothing more of it, not even a backlog
		}
		for _, set := range s.sets[scope] {
			if !slices.Contains(set, m) {
				continue
			}
			gen := scope + "." + scopeGeneration(scope, set)
			for _, sender := range set {
				if sender != m {
					f = append(f, ShareSubjectFrom("*", gen, sender))
				}
			}
		}
	}
	f = append(f, ShareSubjectFrom("*", "m."+m, "*"))
	slices.Sort(f)
	return slices.Compact(f)
}
