package policy_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// genMarkings are the marking ids random bundles use, TLP 1.0 and 2.0 and
// OpenCTI's AMBER+STRICT, with the level each stands for.
var genMarkings = func() []string {
	return append(tlp.KnownIDs(), "") // "" = no marking
}()

type generated struct {
	req      policy.Request
	declared map[string]tlp.Level // object id → the most restrictive TLP it carries
	personal map[string]bool
}

// generate builds a random submission: 1–8 objects (indicators, e-mail
// addresses, individuals), each with random object-level and granular TLP
// markings, sometimes a created_by_ref, and a random request.
func generate(r *rand.Rand, mou *policy.MoU) generated {
	g := generated{declared: map[string]tlp.Level{}, personal: map[string]bool{}}
	members := []string{}
	for _, m := range mou.Members {
		members = append(members, m.ID)
	}
	sender := mou.Members[r.IntN(len(mou.Members))]
	g.req.Sender = sender.ID
	if r.IntN(10) == 0 {
		g.req.Sender = "stranger"
	}
	switch r.IntN(4) {
	case 0, 1:
		for _, m := range members {
			if r.IntN(3) == 0 {
				g.req.To = append(g.req.To, m)
			}
		}
		if r.IntN(15) == 0 {
			g.req.To = append(g.req.To, "le-zulu")
		}
	case 2:
		g.req.Community = []string{"le", "finance", "nowhere"}[r.IntN(3)]
	}
	if r.IntN(2) == 0 && g.req.Community == "" && len(sender.Communities) > 0 {
		g.req.Community = sender.Communities[0]
	}
	g.req.Anonymous = r.IntN(8) == 0
	var objs []string
	n := 1 + r.IntN(8)
	for k := 0; k < n; k++ {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", r.Uint32(), k)
		var props []string
		var level tlp.Level
		var refs []string
		for j := 0; j < r.IntN(3); j++ {
			m := genMarkings[r.IntN(len(genMarkings))]
			if m == "" {
				continue
			}
			refs = append(refs, `"`+m+`"`)
			l, _ := tlp.LevelOfID(m)
			level = tlp.Max(level, l)
		}
		if len(refs) > 0 {
			props = append(props, `"object_marking_refs":[`+strings.Join(refs, ",")+`]`)
		}
		if r.IntN(3) == 0 {
			m := tlp.KnownIDs()[r.IntN(len(tlp.KnownIDs()))]
			l, _ := tlp.LevelOfID(m)
			level = tlp.Max(level, l)
			props = append(props, `"granular_markings":[{"marking_ref":"`+m+`","selectors":["description"]}]`, `"description":"detail"`)
		}
		if r.IntN(6) == 0 {
			cbr := mou.Members[r.IntN(len(mou.Members))].Identity
			props = append(props, `"created_by_ref":"`+cbr+`"`)
		}
		extra := strings.Join(props, ",")
		if extra != "" {
			extra = "," + extra
		}
		var obj, full string
		switch r.IntN(5) {
		case 0:
			full = "email-addr--" + id
			obj = `{"type":"email-addr","spec_version":"2.1","id":"` + full + `","value":"x` + fmt.Sprint(k) + `@example.org"` + extra + `}`
			g.personal[full] = true
		case 1:
			full = "identity--" + id
			obj = `{"type":"identity","spec_version":"2.1","id":"` + full + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Someone","identity_class":"individual"` + extra + `}`
			g.personal[full] = true
		default:
			full = "indicator--" + id
			obj = `{"type":"indicator","spec_version":"2.1","id":"` + full + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'x.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z"` + extra + `}`
		}
		g.declared[full] = level
		objs = append(objs, obj)
	}
	// Sometimes carry the marking definitions too: supporting objects.
	if r.IntN(2) == 0 {
		for _, l := range []tlp.Level{tlp.Clear, tlp.Green, tlp.Amber, tlp.AmberStrict, tlp.Red} {
			if r.IntN(2) == 0 {
				objs = append(objs, string(tlp.Definition(l)))
			}
		}
	}
	r.Shuffle(len(objs), func(a, b int) { objs[a], objs[b] = objs[b], objs[a] })
	g.req.Bundle = bundleOf(objs...)
	return g
}

// TestPropertyNoDecisionLeaks decides thousands of random submissions and
// checks the invariants that must hold whatever the input.
func TestPropertyNoDecisionLeaks(t *testing.T) {
	normal := policy.DemoMoU()
	suspended := policy.DemoMoU()
	suspended.Members[3].Suspended = true // isp-two
	defaulted := policy.DemoMoU()
	defaulted.Rules.Unmarked = "green"
	closed := policy.DemoMoU() // le from its members only, finance from LE and isp-two
	closed.Communities[0].AcceptsFrom = policy.AcceptsFrom{policy.AcceptsMembers}
	closed.Communities[1].AcceptsFrom = policy.AcceptsFrom{string(policy.LawEnforcement), "isp-two"}
	for name, mou := range map[string]*policy.MoU{"demo": normal, "isp-two suspended": suspended, "unmarked is green": defaulted, "accepts_from varied": closed} {
		t.Run(name, func(t *testing.T) {
			e, err := policy.NewEngine(mou)
			require.NoError(t, err)
			r := rand.New(rand.NewPCG(1, uint64(len(name))))
			verdicts := map[policy.Verdict]int{}
			for run := 0; run < 2000; run++ {
				g := generate(r, mou)
				d := e.Decide(g.req)
				verdicts[d.Verdict]++
				checkInvariants(t, mou, g, d)
			}
			t.Logf("verdicts: %v", verdicts)
			require.NotZero(t, verdicts[policy.Accept], "the generator must produce shareable submissions too")
			require.NotZero(t, verdicts[policy.Partial])
			require.NotZero(t, verdicts[policy.Reject])
		})
	}
}

func checkInvariants(t *testing.T, mou *policy.MoU, g generated, d policy.Decision) {
	t.Helper()
	ctx := lazyContext{g}
	active := map[string]policy.Member{}
	for _, m := range mou.Members {
		if !m.Suspended {
			active[m.ID] = m
		}
	}
	allowed := func(id string) bool {
		_, ok := active[id]
		if !ok || id == g.req.Sender {
			return false
		}
		if len(g.req.To) > 0 && !slices.Contains(g.req.To, id) {
			return false
		}
		if g.req.Community != "" && !slices.Contains(active[id].Communities, g.req.Community) {
			return false
		}
		return true
	}
	if d.Verdict == policy.Reject {
		require.Empty(t, d.Routes, "%s", ctx)
	}
	// Who may address a community is the MoU's accepts_from; its members
	// always may. Anyone else is refused with a reason.
	sender, known := active[g.req.Sender]
	var community policy.Community
	for _, c := range mou.Communities {
		if c.ID == g.req.Community {
			community = c
		}
	}
	if known && community.ID != "" {
		if community.AcceptsFrom.Admits(community.ID, sender) {
			require.NotContains(t, codes(d.Reasons), policy.CodeAudienceNotInCommunity, "%s", ctx)
		} else {
			require.Equal(t, policy.Reject, d.Verdict, "%s", ctx)
			require.Contains(t, codes(d.Reasons), policy.CodeAudienceNotInCommunity, "%s", ctx)
		}
	}
	for _, o := range d.Objects {
		if !o.Shared {
			require.Empty(t, o.Audience, "%s", ctx)
			require.False(t, o.Archive, "%s", ctx)
			continue
		}
		require.NotEqual(t, policy.Reject, d.Verdict, "%s", ctx)
		if o.Type == "marking-definition" {
			for _, m := range o.Audience {
				require.True(t, allowed(m), "%s may not receive %s\n%s", m, o.ID, ctx)
			}
			continue
		}
		require.GreaterOrEqual(t, o.TLP, g.declared[o.ID], "never shared below its most restrictive marking\n%s", ctx)
		require.NotEqual(t, tlp.None, o.TLP, "%s", ctx)
		require.NotEmpty(t, o.Audience, "%s", ctx)
		for _, m := range o.Audience {
			require.True(t, allowed(m), "%s may not receive %s\n%s", m, o.ID, "%s", ctx)
			if o.TLP.NamedRecipientsOnly() {
				require.Contains(t, g.req.To, m, "AMBER+STRICT and RED reach --to members only\n%s", ctx)
			}
			if g.personal[o.ID] {
				require.Equal(t, policy.LawEnforcement, active[m].Type, "personal data to law enforcement only\n%s", ctx)
			}
		}
		if o.TLP == tlp.Red {
			require.False(t, o.Archive, "RED is never archivable\n%s", ctx)
		}
	}
	archived := map[int]int{}
	for _, r := range d.Routes {
		for _, pos := range r.ArchiveObjects {
			archived[r.Objects[pos]]++
		}
	}
	for i, o := range d.Objects {
		want := 0
		if o.Shared && o.Archive {
			want = 1
		}
		require.Equal(t, want, archived[i], "object %d (%s) must be archived exactly once when archivable, never otherwise\n%s", i, o.ID, ctx)
	}
	for _, r := range d.Routes {
		require.NotContains(t, r.Audience, g.req.Sender, "%s", ctx)
		require.Equal(t, r.Archive, len(r.ArchiveObjects) > 0, "%s", ctx)
		if r.TLP == tlp.Red {
			require.False(t, r.Archive, "%s", ctx)
		}
		switch {
		case r.Scope == "all":
			require.Empty(t, g.req.To, "%s", ctx)
		case strings.HasPrefix(r.Scope, "m."):
			require.Equal(t, []string{strings.TrimPrefix(r.Scope, "m.")}, r.Audience, "%s", ctx)
		case strings.HasPrefix(r.Scope, "c."):
			for _, m := range r.Audience {
				require.Contains(t, active[m].Communities, strings.TrimPrefix(r.Scope, "c."), "%s", ctx)
			}
			// The scope's set (its generation at the hub) is the
			// community's members, the sender only when it is one.
			var set []string
			for id, m := range active {
				if slices.Contains(m.Communities, strings.TrimPrefix(r.Scope, "c.")) {
					set = append(set, id)
				}
			}
			slices.Sort(set)
			require.Equal(t, set, r.ScopeMembers, "%s", ctx)
		default:
			t.Fatalf("bad scope %q\n%s", r.Scope, ctx)
		}
		for _, i := range r.Objects {
			o := d.Objects[i]
			if o.Type == "marking-definition" {
				require.True(t, referencedIn(g, d, r, o.ID), "a marking definition rides only with objects that reference it\n%s", ctx)
				continue
			}
			require.LessOrEqual(t, o.TLP, r.TLP, "no more restricted object in a less restricted route\n%s", ctx)
			require.True(t, o.Shared, "%s", ctx)
			for _, m := range r.Audience {
				require.Contains(t, o.Audience, m, "a route reaches only the object's audience\n%s", ctx)
			}
		}
	}
}

// lazyContext prints the failing request only when an assertion fails.
type lazyContext struct{ g generated }

func (c lazyContext) String() string {
	q := c.g.req
	return fmt.Sprintf("sender %s, to %v, community %q, anonymous %v\nbundle %s", q.Sender, q.To, q.Community, q.Anonymous, q.Bundle)
}

// referencedIn reports whether an object of route r references id.
func referencedIn(g generated, d policy.Decision, r policy.Route, id string) bool {
	for _, i := range r.Objects {
		if d.Objects[i].ID != id && strings.Contains(objectText(g, d.Objects[i].ID), `"`+id+`"`) {
			return true
		}
	}
	return false
}

// objectText finds the JSON text of object id in the generated bundle.
func objectText(g generated, id string) string {
	b := string(g.req.Bundle)
	start := strings.Index(b, `"id":"`+id+`"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(b[start:], "}")
	if gm := strings.Index(b[start:], `"granular_markings"`); gm >= 0 && gm < end {
		end = strings.Index(b[start:], "}]") + 2
	}
	from := strings.LastIndex(b[:start], "{")
	return b[from : start+end]
}
