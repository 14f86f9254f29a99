package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
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
// now. The hub keeps every set each scope has had (BucketHub, keyScopes)
// while GENEVA_SHARE may hold shares of it: an inbox may hold any of them.

// keyScopes holds the scope history in BucketHub, JSON.
const keyScopes = "scopes"

// scopeHistory is every member set each shared scope has had, less those
// pruned: superseded for pruneGrace and with no share left in GENEVA_SHARE.
type scopeHistory struct {
	mu     sync.Mutex
	loaded bool
	sets   map[string][]scopeSet // scope → its sets, oldest first
}

// scopeSet is one member set of a scope.
type scopeSet struct {
	Members []string `json:"members"` // sorted
	// Superseded is when the set stopped being the scope's; zero while it is.
	Superseded time.Time `json:"superseded,omitzero"`
}

// pruneGrace is how long a superseded set stays whatever the stream holds:
// a decision taken under the MoU before (a slow worker, a worker node that
// has not seen the change yet) may still publish a share of it.
const pruneGrace = time.Hour

// record adds the sets of the MoU about to be in force, prunes, and stores
// the history when it changed. It must run before the MoU decides anything
// and before the inbox filters are set: a generation no filter names
// reaches nobody.
func (s *scopeHistory) record(ctx context.Context, kv jetstream.KeyValue, share jetstream.Stream, scopes map[string][]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		e, err := kv.Get(ctx, keyScopes)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			s.sets = map[string][]scopeSet{}
		case err != nil:
			return fmt.Errorf("scope history: %w", err)
		default:
			if err := json.Unmarshal(e.Value(), &s.sets); err != nil {
				return fmt.Errorf("scope history %s/%s: %w", BucketHub, keyScopes, err)
			}
		}
		s.loaded = true
	}
	changed := s.add(scopes, time.Now())
	pruned, err := s.prune(ctx, share, time.Now())
	if err != nil {
		return err
	}
	if !changed && !pruned {
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

// add makes scopes the current sets at now: new ones are appended, the
// others marked superseded (or current again). It reports whether anything
// changed. The caller holds s.mu.
func (s *scopeHistory) add(scopes map[string][]string, now time.Time) (changed bool) {
	for scope, sets := range s.sets {
		for i := range sets {
			switch current := slices.Equal(sets[i].Members, scopes[scope]); {
			case current && !sets[i].Superseded.IsZero():
				sets[i].Superseded, changed = time.Time{}, true
			case !current && sets[i].Superseded.IsZero():
				sets[i].Superseded, changed = now, true
			}
		}
	}
	for scope, set := range scopes {
		known := slices.ContainsFunc(s.sets[scope], func(old scopeSet) bool { return slices.Equal(old.Members, set) })
		if len(set) > 0 && !known {
			s.sets[scope] = append(s.sets[scope], scopeSet{Members: slices.Clone(set)})
			changed = true
		}
	}
	return changed
}

// prune drops the sets superseded for pruneGrace of which GENEVA_SHARE
// holds no share any more (retention took them): no inbox can hold one, so
// the filters need not name them. The caller holds s.mu.
func (s *scopeHistory) prune(ctx context.Context, share jetstream.Stream, now time.Time) (pruned bool, err error) {
	for scope, sets := range s.sets {
		kept := sets[:0]
		for _, set := range sets {
			if !set.Superseded.IsZero() && now.Sub(set.Superseded) > pruneGrace {
				filter := wire.ShareSubjectFrom("*", scope+"."+wire.ScopeGeneration(scope, set.Members), "*")
				info, err := share.Info(ctx, jetstream.WithSubjectFilter(filter))
				if err != nil {
					return pruned, fmt.Errorf("scope history: %s: %w", filter, err)
				}
				if len(info.State.Subjects) == 0 {
					pruned = true
					continue
				}
			}
			kept = append(kept, set)
		}
		if len(kept) == 0 {
			delete(s.sets, scope)
		} else {
			s.sets[scope] = kept
		}
	}
	return pruned, nil
}

// inboxFilters is exactly what policy lets member m see on GENEVA_SHARE
// under the scopes in force (scopes: their members, senders: who may
// publish on them, see policy.Engine.ScopeSenders): shares of every
// generation of its shared scopes that held it, from any other member of
// that generation or anyone who may address the scope now, and parts for
// it by name. Anonymous parts are always addressed by name (see
// shareMessages), so the sender of one never gets it back either.
func (s *scopeHistory) inboxFilters(scopes, senders map[string][]string, m string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var f []string
	for scope, now := range scopes {
		if !slices.Contains(now, m) {
			continue // left, or never joined: nothing more of it, not even a backlog
		}
		for _, set := range s.sets[scope] {
			if !slices.Contains(set.Members, m) {
				continue
			}
			gen := scope + "." + wire.ScopeGeneration(scope, set.Members)
			for _, sender := range slices.Concat(set.Members, senders[scope]) {
				if sender != m {
					f = append(f, wire.ShareSubjectFrom("*", gen, sender))
				}
			}
		}
	}
	f = append(f, wire.ShareSubjectFrom("*", "m."+m, "*"))
	slices.Sort(f)
	return slices.Compact(f)
}
