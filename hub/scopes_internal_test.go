package hub

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/genevahub/geneva/policy"
)

// subjectMatches is NATS subject matching ('*' one token, '>' the rest).
func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return i < len(s)
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

// Whatever the membership changes, a member's inbox filters match a share
// exactly when the member was in its audience and is still in its scope:
// no share reaches a member that joined after it was decided (or left
// before it was delivered), and none is lost to a member of its audience
// that stays. Random partnerships of six members, two scopes and up to
// eight membership changes, with shares decided under each.
func TestInboxFiltersFollowTheAudienceThroughMembershipChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []string{"a", "b", "c", "d", "e", "f"}
	subset := func(of []string) []string {
		var s []string
		for _, m := range of {
			if rng.IntN(3) > 0 {
				s = append(s, m)
			}
		}
		return s
	}
	type share struct {
		subject, scope string
		audience       []string
	}
	for iter := range 500 {
		h := &scopeHistory{loaded: true, sets: map[string][][]string{}}
		var shares []share
		var scopes map[string][]string
		for range 1 + rng.IntN(8) {
			all := subset(pool)
			scopes = map[string][]string{"all": all, "c.x": subset(all)}
			h.add(scopes)
			for range rng.IntN(4) {
				scope := []string{"all", "c.x"}[rng.IntN(2)]
				set := scopes[scope]
				if len(set) == 0 {
					continue
				}
				sender := set[rng.IntN(len(set))]
				rt := policy.Route{Scope: scope, Audience: slices.DeleteFunc(slices.Clone(set), func(m string) bool { return m == sender })}
				shares = append(shares, share{ShareSubjectFrom("green", routeScope(rt, sender), sender), scope, rt.Audience})
			}
		}
		for _, m := range pool {
			filters := h.inboxFilters(scopes, m)
			for _, sh := range shares {
				got := slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, sh.subject) })
				want := slices.Contains(sh.audience, m) && slices.Contains(scopes[sh.scope], m)
				if got != want {
					t.Fatalf("iteration %d: member %s, share %s to %v: delivered %v, want %v (scopes now %v, history %v)",
						iter, m, sh.subject, sh.audience, got, want, scopes, h.sets)
				}
			}
		}
	}
}

// A named route keeps its subject; a shared one carries the generation of
// its audience and sender, whatever their order.
func TestRouteScope(t *testing.T) {
	if got := routeScope(policy.Route{Scope: "m.bank-one", Audience: []string{"bank-one"}}, "le-alpha"); got != "m.bank-one" {
		t.Fatalf("named route: %q", got)
	}
	a := routeScope(policy.Route{Scope: "c.le", Audience: []string{"le-bravo"}}, "le-alpha")
	b := routeScope(policy.Route{Scope: "c.le", Audience: []string{"le-alpha"}}, "le-bravo")
	if a != b || !strings.HasPrefix(a, "c.le.g") || len(a) != len("c.le.g")+12 {
		t.Fatalf("shared routes of one set: %q and %q", a, b)
	}
	if c := routeScope(policy.Route{Scope: "all", Audience: []string{"le-bravo"}}, "le-alpha"); c == "all."+a[len("c.le."):] {
		t.Fatalf("the same set in two scopes has one generation: %q", c)
	}
}

// ScopeOf gives members the scope without the generation.
func TestScopeOf(t *testing.T) {
	for subject, want := range map[string]string{
		"geneva.share.green.all.g0123456789ab.bank-one":  "all",
		"geneva.share.amber.c.le.g0123456789ab.le-alpha": "c.le",
		"geneva.share.amber+strict.m.le-bravo.le-alpha":  "m.le-bravo",
		"geneva.share.green.m.le-bravo.anonymous":        "m.le-bravo",
		"geneva.receipt.bank-one":                        "",
		"geneva.share.green":                             "",
		ShareSubjectFrom("clear", routeScope(policy.Route{Scope: "c.finance", Audience: []string{"bank-one"}}, "isp-two"), "isp-two"): "c.finance",
	} {
		if got := ScopeOf(subject); got != want {
			t.Errorf("ScopeOf(%q) = %q, want %q", subject, got, want)
		}
	}
}
