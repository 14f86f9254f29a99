package hub

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
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
		subject, scope, sender string
		audience               []string
	}
	for iter := range 500 {
		h := &scopeHistory{loaded: true, sets: map[string][]scopeSet{}}
		var shares []share
		var scopes, senders map[string][]string
		for range 1 + rng.IntN(8) {
			all := subset(pool)
			scopes = map[string][]string{"all": all, "c.x": subset(all)}
			// c.x accepts from its members and from some others (accepts_from).
			senders = map[string][]string{"all": all, "c.x": subset(all)}
			h.add(scopes, time.Now())
			for range rng.IntN(4) {
				scope := []string{"all", "c.x"}[rng.IntN(2)]
				set := scopes[scope]
				may := slices.Concat(set, senders[scope])
				if len(set) == 0 {
					continue
				}
				sender := may[rng.IntN(len(may))]
				rt := policy.Route{Scope: scope, Audience: slices.DeleteFunc(slices.Clone(set), func(m string) bool { return m == sender }), ScopeMembers: set}
				shares = append(shares, share{wire.ShareSubjectFrom("green", wire.RouteScope(rt, sender), sender), scope, sender, rt.Audience})
			}
		}
		for _, m := range pool {
			filters := h.inboxFilters(scopes, senders, m)
			for _, sh := range shares {
				got := slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, sh.subject) })
				// A share from outside its scope reaches its audience while
				// the scope still accepts from its sender.
				want := slices.Contains(sh.audience, m) && slices.Contains(scopes[sh.scope], m) &&
					(slices.Contains(setOf(sh.subject, h), sh.sender) || slices.Contains(senders[sh.scope], sh.sender))
				if got != want {
					t.Fatalf("iteration %d: member %s, share %s to %v: delivered %v, want %v (scopes now %v, history %v)",
						iter, m, sh.subject, sh.audience, got, want, scopes, h.sets)
				}
			}
		}
	}
}

// setOf is the member set of the generation in a share subject.
func setOf(subject string, h *scopeHistory) []string {
	for scope, sets := range h.sets {
		for _, set := range sets {
			if strings.Contains(subject, "."+scope+"."+wire.ScopeGeneration(scope, set.Members)+".") {
				return set.Members
			}
		}
	}
	return nil
}

// A named route keeps its subject; a shared one carries the generation of
// its audience and sender, whatever their order.
func TestRouteScope(t *testing.T) {
	if got := wire.RouteScope(policy.Route{Scope: "m.bank-one", Audience: []string{"bank-one"}}, "le-alpha"); got != "m.bank-one" {
		t.Fatalf("named route: %q", got)
	}
	a := wire.RouteScope(policy.Route{Scope: "c.le", Audience: []string{"le-bravo"}}, "le-alpha")
	b := wire.RouteScope(policy.Route{Scope: "c.le", Audience: []string{"le-alpha"}}, "le-bravo")
	if a != b || !strings.HasPrefix(a, "c.le.g") || len(a) != len("c.le.g")+12 {
		t.Fatalf("shared routes of one set: %q and %q", a, b)
	}
	if c := wire.RouteScope(policy.Route{Scope: "all", Audience: []string{"le-bravo"}}, "le-alpha"); c == "all."+a[len("c.le."):] {
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
		wire.ShareSubjectFrom("clear", wire.RouteScope(policy.Route{Scope: "c.finance", Audience: []string{"bank-one"}}, "isp-two"), "isp-two"): "c.finance",
	} {
		if got := wire.ScopeOf(subject); got != want {
			t.Errorf("ScopeOf(%q) = %q, want %q", subject, got, want)
		}
	}
}

// A superseded set leaves the history once the grace has passed and the
// stream holds no share of it any more; the current set never does.
func TestScopeHistoryPrunesWhatTheStreamNoLongerHolds(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	srv.Start()
	t.Cleanup(srv.Shutdown)
	require.True(t, srv.ReadyForConnections(10*time.Second))
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := context.Background()
	share, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: wire.StreamShare, Subjects: []string{wire.SubjectShareAll}})
	require.NoError(t, err)

	h := &scopeHistory{loaded: true, sets: map[string][]scopeSet{}}
	t0 := time.Now()
	require.True(t, h.add(map[string][]string{"all": {"a", "b"}}, t0))
	require.True(t, h.add(map[string][]string{"all": {"a", "b", "c"}}, t0)) // {a b} superseded at t0
	old := wire.RouteScope(policy.Route{Scope: "all", Audience: []string{"b"}}, "a")
	_, err = js.Publish(ctx, wire.ShareSubjectFrom("green", old, "a"), []byte("{}"))
	require.NoError(t, err)
	members := func() (sets [][]string) {
		for _, s := range h.sets["all"] {
			sets = append(sets, s.Members)
		}
		return sets
	}

	for _, at := range []time.Time{t0.Add(pruneGrace / 2), t0.Add(2 * pruneGrace)} {
		pruned, err := h.prune(ctx, share, at)
		require.NoError(t, err)
		require.False(t, pruned, "within the grace, or while a share of the set is stored")
	}
	require.Equal(t, [][]string{{"a", "b"}, {"a", "b", "c"}}, members())

	require.NoError(t, share.Purge(ctx)) // retention took the share
	pruned, err := h.prune(ctx, share, t0.Add(2*pruneGrace))
	require.NoError(t, err)
	require.True(t, pruned)
	require.Equal(t, [][]string{{"a", "b", "c"}}, members(), "the current set stays, whatever the stream holds")
	filters := h.inboxFilters(map[string][]string{"all": {"a", "b", "c"}}, nil, "a")
	require.NotContains(t, filters, wire.ShareSubjectFrom("*", old, "b"), "a filter names the pruned set")
	require.Contains(t, filters, wire.ShareSubjectFrom("*", wire.RouteScope(policy.Route{Scope: "all", Audience: []string{"a", "c"}}, "b"), "b"))
}
