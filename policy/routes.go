package policy

import (
	"slices"
	"sort"
	"strings"

	"github.com/genevahub/geneva/policy/tlp"
)

// routes groups the shared objects by (TLP, audience) into routes, adds
// the supporting objects each route's objects reference, and fills in the
// per-object audiences and archive flags.
func (s *decider) routes() {
	type routeKey struct {
		level tlp.Level
		scope string
	}
	byKey := map[routeKey]*Route{}
	add := func(level tlp.Level, scope string, audience []string, i int) {
		key := routeKey{level, scope}
		r, ok := byKey[key]
		if !ok {
			r = &Route{TLP: level, Scope: scope, Audience: slices.Clone(audience), ScopeMembers: s.scopeMembers(scope)}
			byKey[key] = r
		}
		r.Objects = append(r.Objects, i)
	}
	for i := range s.d.Objects {
		o := &s.d.Objects[i]
		if s.supporting[i] || s.failed[i] {
			continue
		}
		o.Shared = true
		o.Archive = o.TLP.Archivable()
		if scope := s.scope(o.Audience); scope != "" {
			add(o.TLP, scope, o.Audience, i)
			continue
		}
		for _, m := range o.Audience {
			add(o.TLP, "m."+m, []string{m}, i)
		}
	}
	routes := make([]Route, 0, len(byKey))
	for _, r := range byKey {
		r.Objects = s.withSupporting(r.Objects, r.TLP)
		routes = append(routes, *r)
	}
	sort.Slice(routes, func(a, b int) bool {
		if routes[a].TLP != routes[b].TLP {
			return routes[a].TLP < routes[b].TLP
		}
		return routes[a].Scope < routes[b].Scope
	})
	assignArchiveDuty(routes)
	s.d.Routes = routes
	s.supportingDecisions()
}

// assignArchiveDuty gives each archivable object to the first route that
// carries it, so splitting an audience per member never archives an object
// twice.
func assignArchiveDuty(routes []Route) {
	taken := map[int]bool{}
	for k := range routes {
		r := &routes[k]
		r.ArchiveObjects = []int{}
		if r.TLP.Archivable() {
			for pos, i := range r.Objects {
				if !taken[i] {
					taken[i] = true
					r.ArchiveObjects = append(r.ArchiveObjects, pos)
				}
			}
		}
		r.Archive = len(r.ArchiveObjects) > 0
	}
}

// scope names the subject token for an audience: "all" when it is every
// active member but the sender, "c.<community>" when the sender limited the
// submission to that community and the audience is all of it (sender and
// suspended members aside), and "" when it must be split per member. Named recipients (--to) are always split per member,
// so AMBER+STRICT and RED never travel on a subject a newcomer could read.
func (s *decider) scope(audience []string) string {
	if len(s.req.To) > 0 {
		return ""
	}
	if c := s.req.Community; c != "" {
		// A submission limited to a community never goes on "all", even
		// when the community is everyone today.
		if slices.Equal(audience, without(s.e.communities[c], s.sender.ID)) {
			return "c." + c
		}
	} else if slices.Equal(audience, without(s.e.active, s.sender.ID)) {
		return "all"
	}
	// Any other audience (personal data to law enforcement, say) is split
	// per member even when it happens to equal a community today: a
	// community subject is resolved at delivery time, and a member who
	// joins the community later must not receive what this rule kept from
	// it.
	return ""
}

// scopeMembers is the member set of a shared scope when decided (see
// Route.ScopeMembers); nil for a named one.
func (s *decider) scopeMembers(scope string) []string {
	switch {
	case scope == "all":
		return slices.Clone(s.e.active)
	case strings.HasPrefix(scope, "c."):
		return slices.Clone(s.e.communities[strings.TrimPrefix(scope, "c.")])
	}
	return nil
}

// withSupporting adds to objs the supporting objects they reference
// (marking definitions, the sender's identity), and those that the added
// ones reference in turn, never one whose own TLP is above the route's.
func (s *decider) withSupporting(objs []int, level tlp.Level) []int {
	in := make(map[int]bool, len(objs))
	for _, i := range objs {
		in[i] = true
	}
	queue := slices.Clone(objs)
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		obj := s.doc.Objects[i]
		visit := func(ref string) {
			j, ok := s.byID[ref]
			if !ok || in[j] || !s.supporting[j] || s.failed[j] {
				return
			}
			if s.d.Objects[j].Type != "marking-definition" && s.ownLevel(j).MoreRestrictive(level) {
				return
			}
			in[j] = true
			queue = append(queue, j)
		}
		markingRefs(obj, func(ref string, _ refPlace) { visit(ref) })
		if v := obj.GetStringBytes("created_by_ref"); v != nil {
			visit(string(v))
		}
	}
	out := make([]int, 0, len(in))
	for i := range in {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// ownLevel is the most restrictive TLP marking of a supporting object.
func (s *decider) ownLevel(i int) tlp.Level {
	var l tlp.Level
	markingRefs(s.doc.Objects[i], func(ref string, _ refPlace) {
		if lv, _, _ := s.lookup(ref); lv != tlp.None {
			l = tlp.Max(l, lv)
		}
	})
	return l
}

// supportingDecisions fills in the supporting objects' decisions from the
// routes they travel with.
func (s *decider) supportingDecisions() {
	for i := range s.d.Objects {
		if !s.supporting[i] || s.failed[i] {
			continue
		}
		o := &s.d.Objects[i]
		o.TLP = s.ownLevel(i)
		var audience []string
		for _, r := range s.d.Routes {
			if slices.Contains(r.Objects, i) {
				audience = append(audience, r.Audience...)
				o.Archive = o.Archive || r.TLP.Archivable()
			}
		}
		if len(audience) == 0 {
			s.note(i, Reason{Code: CodeSupportingUnreferenced, Pointer: s.pointer(i), Message: "no shared object references it, so it is not sent on its own"})
			continue
		}
		o.Shared = true
		o.Audience = sortedUnique(audience)
		s.note(i, Reason{Code: CodeSupporting, Pointer: s.pointer(i), Message: "a supporting object: it travels with the objects that reference it"})
	}
}

// Receivers is the union of the audiences of the shared objects, sorted.
func (d Decision) Receivers() []string {
	var all []string
	for _, o := range d.Objects {
		if o.Shared {
			all = append(all, o.Audience...)
		}
	}
	return sortedUnique(all)
}
