package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func codes(rs []policy.Reason) []policy.Code {
	out := []policy.Code{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func objectByID(t *testing.T, d policy.Decision, id string) policy.ObjectDecision {
	t.Helper()
	for _, o := range d.Objects {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("no object %s in the decision", id)
	return policy.ObjectDecision{}
}

const ind1 = "indicator--00000000-0000-4000-8000-000000000001"

func TestGranularTLPTreatsObjectAtItsMostRestrictiveMarking(t *testing.T) {
	e := demoEngine(t)
	b := bundleOf(indicator("01", marked(green1)+`,"granular_markings":[{"marking_ref":"`+red1+`","selectors":["description"]}],"description":"victim detail"`))
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: b})
	require.Equal(t, policy.Reject, d.Verdict, "RED without --to")
	o := objectByID(t, d, ind1)
	require.Contains(t, codes(o.Reasons), policy.CodeTLPGranular)
	require.Contains(t, codes(o.Reasons), policy.CodeTLPRecipientsRequired)

	d = e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: b})
	require.Equal(t, policy.Accept, d.Verdict)
	o = objectByID(t, d, ind1)
	require.Equal(t, tlp.Red, o.TLP)
	require.False(t, o.Archive)
	require.Equal(t, []string{"le-alpha"}, o.Audience)
	require.Len(t, d.Routes, 1)
	require.Equal(t, "m.le-alpha", d.Routes[0].Scope)
}

func TestTLPConflicts(t *testing.T) {
	e := demoEngine(t)
	t.Run("two levels on one object", func(t *testing.T) {
		d := e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: bundleOf(indicator("01", marked(green1, amber2)))})
		require.Equal(t, policy.Reject, d.Verdict)
		r := objectByID(t, d, ind1).Reasons[0]
		require.Equal(t, policy.CodeTLPConflict, r.Code)
		require.Equal(t, "/objects/0/object_marking_refs/1", r.Pointer)
	})
	t.Run("a definition contradicting its id", func(t *testing.T) {
		fake := `{"type":"marking-definition","spec_version":"2.1","id":"` + green1 + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","definition":{"tlp":"white"}}`
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(fake, indicator("01", marked(green1)))})
		require.Equal(t, policy.Reject, d.Verdict)
		require.Contains(t, codes(objectByID(t, d, green1).Reasons), policy.CodeTLPDefinitionConflict)
		require.Equal(t, []policy.Code{policy.CodeTLPDefinitionConflict}, codes(objectByID(t, d, ind1).Reasons))
	})
	t.Run("an unknown TLP level", func(t *testing.T) {
		const md = "marking-definition--11111111-2222-4333-8444-555555555555"
		black := `{"type":"marking-definition","spec_version":"2.1","id":"` + md + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:BLACK","definition":{"tlp":"black"}}`
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(black, indicator("01", marked(md)))})
		require.Equal(t, policy.Reject, d.Verdict)
		require.Contains(t, codes(objectByID(t, d, md).Reasons), policy.CodeTLPUnknown)
	})
	t.Run("a marking neither known nor in the bundle", func(t *testing.T) {
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(indicator("01", marked(green1, "marking-definition--99999999-2222-4333-8444-555555555555")))})
		require.Equal(t, policy.Reject, d.Verdict)
		require.True(t, d.Classified, "fail closed: an unknown marking may be a classification")
		require.Equal(t, []policy.Code{policy.CodeClassifiedUnknownMarking}, codes(d.Reasons))
	})
}

func TestUnmarkedDefault(t *testing.T) {
	m := policy.DemoMoU()
	m.Rules.Unmarked = "amber"
	e, err := policy.NewEngine(m)
	require.NoError(t, err)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(indicator("01", ""))})
	require.Equal(t, policy.Accept, d.Verdict)
	require.Equal(t, tlp.Amber, d.Objects[0].TLP)
	require.Equal(t, []policy.Code{policy.CodeTLPDefaulted}, codes(d.Objects[0].Reasons))
}

func TestAudiences(t *testing.T) {
	e := demoEngine(t)
	green := bundleOf(indicator("01", marked(green1)))
	for name, tc := range map[string]struct {
		req       policy.Request
		verdict   policy.Verdict
		code      policy.Code
		receivers []string
		scopes    []string
	}{
		"everyone":                {policy.Request{Sender: "isp-two"}, policy.Accept, "", []string{"bank-one", "cert-three", "le-alpha", "le-bravo"}, []string{"all"}},
		"a community":             {policy.Request{Sender: "le-bravo", Community: "le"}, policy.Accept, "", []string{"le-alpha"}, []string{"c.le"}},
		"named members":           {policy.Request{Sender: "isp-two", To: []string{"le-bravo", "bank-one"}}, policy.Accept, "", []string{"bank-one", "le-bravo"}, []string{"m.bank-one", "m.le-bravo"}},
		"named twice":             {policy.Request{Sender: "isp-two", To: []string{"le-bravo", "le-bravo"}}, policy.Accept, "", []string{"le-bravo"}, []string{"m.le-bravo"}},
		"named in the community":  {policy.Request{Sender: "le-bravo", Community: "le", To: []string{"le-alpha"}}, policy.Accept, "", []string{"le-alpha"}, []string{"m.le-alpha"}},
		"unknown community":       {policy.Request{Sender: "isp-two", Community: "nowhere"}, policy.Reject, policy.CodeAudienceUnknownCommunity, nil, nil},
		"sender not in community": {policy.Request{Sender: "isp-two", Community: "finance"}, policy.Reject, policy.CodeAudienceNotInCommunity, nil, nil},
		"industry reports to le":  {policy.Request{Sender: "bank-one", Community: "le"}, policy.Accept, "", []string{"le-alpha", "le-bravo"}, []string{"c.le"}},
		"a cert reports to le":    {policy.Request{Sender: "cert-three", Community: "le"}, policy.Accept, "", []string{"le-alpha", "le-bravo"}, []string{"c.le"}},
		"named in le by industry": {policy.Request{Sender: "bank-one", Community: "le", To: []string{"le-bravo"}}, policy.Accept, "", []string{"le-bravo"}, []string{"m.le-bravo"}},
		"named outside le":        {policy.Request{Sender: "bank-one", Community: "le", To: []string{"isp-two"}}, policy.Reject, policy.CodeAudienceOutsideCommunity, nil, nil},
		"named outside community": {policy.Request{Sender: "le-bravo", Community: "le", To: []string{"bank-one"}}, policy.Reject, policy.CodeAudienceOutsideCommunity, nil, nil},
		"unknown member":          {policy.Request{Sender: "isp-two", To: []string{"le-zulu"}}, policy.Reject, policy.CodeAudienceUnknownMember, nil, nil},
		"the sender itself":       {policy.Request{Sender: "isp-two", To: []string{"isp-two"}}, policy.Reject, policy.CodeAudienceSender, nil, nil},
		"alone in its community":  {policy.Request{Sender: "bank-one", Community: "finance"}, policy.Reject, "", nil, nil},
		"unknown sender":          {policy.Request{Sender: "mallory"}, policy.Reject, policy.CodeSenderUnknown, nil, nil},
	} {
		t.Run(name, func(t *testing.T) {
			tc.req.Bundle = green
			d := e.Decide(tc.req)
			require.Equal(t, tc.verdict, d.Verdict, "%+v", d)
			if tc.code != "" {
				require.Contains(t, codes(d.Reasons), tc.code)
			}
			require.Equal(t, tc.receivers, nilIfEmpty(d.Receivers()))
			var scopes []string
			for _, r := range d.Routes {
				scopes = append(scopes, r.Scope)
			}
			require.Equal(t, tc.scopes, scopes)
		})
	}
	t.Run("alone in its community says why", func(t *testing.T) {
		d := e.Decide(policy.Request{Sender: "bank-one", Community: "finance", Bundle: green})
		require.Contains(t, codes(d.Objects[0].Reasons), policy.CodeAudienceEmpty)
	})
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestSuspendedMembers(t *testing.T) {
	m := policy.DemoMoU()
	for i := range m.Members {
		if m.Members[i].ID == "cert-three" || m.Members[i].ID == "isp-two" {
			m.Members[i].Suspended = true
		}
	}
	e, err := policy.NewEngine(m)
	require.NoError(t, err)
	green := bundleOf(indicator("01", marked(green1)))
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: green})
	require.Equal(t, policy.Accept, d.Verdict)
	require.Equal(t, []string{"le-alpha", "le-bravo"}, d.Receivers(), "a suspended member receives nothing")
	require.Equal(t, "all", d.Routes[0].Scope)
	d = e.Decide(policy.Request{Sender: "bank-one", To: []string{"cert-three"}, Bundle: green})
	require.Equal(t, []policy.Code{policy.CodeAudienceSuspendedMember}, codes(d.Reasons))
	d = e.Decide(policy.Request{Sender: "isp-two", Bundle: green})
	require.Equal(t, []policy.Code{policy.CodeSenderSuspended}, codes(d.Reasons))
}

func TestProvenance(t *testing.T) {
	const relayed = "identity--5b0c8f3e-1111-4222-8333-444455556666"
	m := policy.DemoMoU()
	for i := range m.Members {
		if m.Members[i].ID == "bank-one" {
			m.Members[i].RelayFor = []string{relayed}
		}
	}
	e, err := policy.NewEngine(m)
	require.NoError(t, err)
	own := indicator("01", marked(green1)+`,"created_by_ref":"`+bankOneIdentity+`"`)
	relay := indicator("02", marked(green1)+`,"created_by_ref":"`+relayed+`"`)
	spoof := indicator("03", marked(green1)+`,"created_by_ref":"`+leAlphaIdentity+`"`)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(own, relay, spoof)})
	require.Equal(t, policy.Partial, d.Verdict)
	require.True(t, d.Objects[0].Shared)
	require.True(t, d.Objects[1].Shared)
	require.False(t, d.Objects[2].Shared)
	require.Equal(t, policy.CodeProvenanceSpoofed, d.Objects[2].Reasons[0].Code)
	require.Equal(t, "/objects/2/created_by_ref", d.Objects[2].Reasons[0].Pointer)
	require.Contains(t, d.Objects[2].Reasons[0].Message, `member "le-alpha"`)
}

func senderIdentity(extra string) string {
	s := `{"type":"identity","spec_version":"2.1","id":"` + bankOneIdentity + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Bank One AG","identity_class":"organization"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func TestSupportingObjects(t *testing.T) {
	e := demoEngine(t)
	greenMD := `{"type":"marking-definition","spec_version":"2.1","id":"` + green1 + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"green"}}`
	redMD := `{"type":"marking-definition","spec_version":"2.1","id":"` + red1 + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:RED","definition":{"tlp":"red"}}`
	b := bundleOf(greenMD, redMD, senderIdentity(marked(green1)),
		indicator("01", marked(green1)+`,"created_by_ref":"`+bankOneIdentity+`"`),
		indicator("02", marked(red1)+`,"created_by_ref":"`+bankOneIdentity+`"`))
	d := e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha", "isp-two"}, Bundle: b})
	require.Equal(t, policy.Accept, d.Verdict, "supporting objects do not count")
	require.Len(t, d.Routes, 4)
	greenArchivers := 0
	for _, r := range d.Routes {
		switch r.TLP {
		case tlp.Green:
			require.Equal(t, []int{0, 2, 3}, r.Objects, "green route: its marking, the identity, the indicator")
			if r.Archive {
				greenArchivers++
				require.Equal(t, []int{0, 1, 2}, r.ArchiveObjects)
			} else {
				require.Empty(t, r.ArchiveObjects)
			}
		case tlp.Red:
			require.Equal(t, []int{0, 1, 2, 4}, r.Objects, "red route: the identity brings its own green marking definition")
			require.False(t, r.Archive)
		}
	}
	require.Equal(t, 1, greenArchivers, "the green part split per member is archived by one route only")
	require.Equal(t, policy.CodeSupporting, d.Objects[2].Reasons[0].Code)

	t.Run("an identity more restricted than the route stays out", func(t *testing.T) {
		b := bundleOf(redMD, senderIdentity(marked(red1)), indicator("01", marked(green1)+`,"created_by_ref":"`+bankOneIdentity+`"`))
		d := e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: b})
		require.Equal(t, policy.Accept, d.Verdict)
		require.Equal(t, []int{2}, d.Routes[0].Objects)
		require.False(t, d.Objects[1].Shared)
		require.Equal(t, policy.CodeSupportingUnreferenced, d.Objects[1].Reasons[0].Code)
	})
	t.Run("only supporting objects", func(t *testing.T) {
		d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(greenMD)})
		require.Equal(t, policy.Reject, d.Verdict)
		require.Equal(t, []policy.Code{policy.CodeNothingToShare}, codes(d.Reasons))
	})
}

func TestAnonymous(t *testing.T) {
	e := demoEngine(t)
	b := bundleOf(senderIdentity(""), indicator("01", marked(green1)), indicator("02", marked(green1)+`,"created_by_ref":"`+bankOneIdentity+`"`))
	d := e.Decide(policy.Request{Sender: "bank-one", Anonymous: true, Bundle: b})
	require.True(t, d.Anonymous)
	require.Equal(t, policy.Partial, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodeAnonymousIdentity}, codes(d.Objects[0].Reasons))
	require.True(t, d.Objects[1].Shared)
	require.Equal(t, []policy.Code{policy.CodeAnonymousCreatedBy}, codes(d.Objects[2].Reasons))

	m := policy.DemoMoU()
	m.Rules.AnonymousSubmissions = false
	strict, err := policy.NewEngine(m)
	require.NoError(t, err)
	d = strict.Decide(policy.Request{Sender: "bank-one", Anonymous: true, Bundle: bundleOf(indicator("01", marked(green1)))})
	require.Equal(t, policy.Reject, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodeAnonymousNotAllowed}, codes(d.Reasons))
}

func TestPersonalData(t *testing.T) {
	e := demoEngine(t)
	email := `{"type":"email-addr","spec_version":"2.1","id":"email-addr--b427d969-3b3b-59ab-b4e6-33a91edf4200","value":"jane.doe@example.org",` + marked(green1) + `}`
	person := `{"type":"identity","spec_version":"2.1","id":"identity--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"J. Doe","identity_class":"individual",` + marked(green1) + `}`
	d := e.Decide(policy.Request{Sender: "isp-two", Bundle: bundleOf(email, person, indicator("01", marked(green1)))})
	require.Equal(t, policy.Accept, d.Verdict)
	require.Equal(t, []string{"le-alpha", "le-bravo"}, d.Objects[0].Audience)
	require.Equal(t, []string{"le-alpha", "le-bravo"}, d.Objects[1].Audience)
	require.Equal(t, []policy.Code{policy.CodePersonalDataLEOnly}, codes(d.Objects[0].Reasons))
	require.Equal(t, []string{"bank-one", "cert-three", "le-alpha", "le-bravo"}, d.Objects[2].Audience)
	var scopes []string
	for _, r := range d.Routes {
		scopes = append(scopes, r.Scope)
	}
	require.Equal(t, []string{"all", "m.le-alpha", "m.le-bravo"}, scopes,
		"the law-enforcement audience is split per member, never sent on a community subject it merely equals today")

	d = e.Decide(policy.Request{Sender: "isp-two", To: []string{"cert-three"}, Bundle: bundleOf(email)})
	require.Equal(t, policy.Reject, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodePersonalDataNoLE}, codes(d.Objects[0].Reasons))

	d = e.Decide(policy.Request{Sender: "le-alpha", Bundle: bundleOf(email)})
	require.Equal(t, []string{"le-bravo"}, d.Receivers(), "an LE sender reaches the other LE members")

	m := policy.DemoMoU()
	m.Rules.PersonalData = "reject"
	strict, err := policy.NewEngine(m)
	require.NoError(t, err)
	d = strict.Decide(policy.Request{Sender: "isp-two", Bundle: bundleOf(email, indicator("01", marked(green1)))})
	require.Equal(t, policy.Partial, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodePersonalDataRejected}, codes(d.Objects[0].Reasons))
}

const nationState = `{"type":"threat-actor","spec_version":"2.1","id":"threat-actor--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Example Bear","threat_actor_types":["nation-state"],` + `"object_marking_refs":["` + green1 + `"]}`

func TestStateConduct(t *testing.T) {
	attributed := `{"type":"relationship","spec_version":"2.1","id":"relationship--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","relationship_type":"attributed-to","source_ref":"` + ind1 + `","target_ref":"threat-actor--11111111-2222-4333-8444-555555555555",` + marked(green1) + `}`
	government := `{"type":"intrusion-set","spec_version":"2.1","id":"intrusion-set--11111111-2222-4333-8444-555555555555","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Set","resource_level":"government",` + marked(green1) + `}`
	criminal := strings.Replace(nationState, `"nation-state"`, `"crime-syndicate"`, 1)
	b := bundleOf(indicator("01", marked(green1)), nationState, attributed)

	d := demoEngine(t).Decide(policy.Request{Sender: "cert-three", Bundle: b})
	require.Equal(t, policy.Review, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodeStateConductReview}, codes(d.Reasons))
	require.Equal(t, []policy.Code{policy.CodeStateConductReview}, codes(d.Objects[2].Reasons), "the attributed-to relationship")
	require.NotEmpty(t, d.Routes, "the routes are what a reviewer would approve")

	d = demoEngine(t).Decide(policy.Request{Sender: "cert-three", Bundle: bundleOf(government)})
	require.Equal(t, policy.Review, d.Verdict)
	d = demoEngine(t).Decide(policy.Request{Sender: "cert-three", Bundle: bundleOf(criminal)})
	require.Equal(t, policy.Accept, d.Verdict)

	for rule, want := range map[string]policy.Verdict{"reject": policy.Partial, "allow": policy.Accept} {
		m := policy.DemoMoU()
		m.Rules.StateConduct = rule
		e, err := policy.NewEngine(m)
		require.NoError(t, err)
		d := e.Decide(policy.Request{Sender: "cert-three", Bundle: b})
		require.Equal(t, want, d.Verdict, rule)
		if rule == "reject" {
			require.True(t, d.Objects[0].Shared)
			require.Equal(t, []policy.Code{policy.CodeStateConductRejected}, codes(d.Objects[1].Reasons))
		}
	}
}

type priorState map[string]policy.PriorObject

func (p priorState) Object(id string) (policy.PriorObject, bool) {
	o, ok := p[id]
	return o, ok
}

func TestMonotonicMarkings(t *testing.T) {
	e := demoEngine(t)
	prior := priorState{ind1: {Originator: "le-alpha", TLP: tlp.Amber, Audience: []string{"bank-one", "le-bravo"}}}
	green := bundleOf(indicator("01", marked(green1)))
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: green, Prior: prior})
	require.Equal(t, policy.Reject, d.Verdict)
	require.Equal(t, []policy.Code{policy.CodeMonotonicTLP, policy.CodeMonotonicAudience}, codes(d.Objects[0].Reasons))

	d = e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-bravo", "le-alpha"}, Bundle: bundleOf(indicator("01", marked(amber2))), Prior: prior})
	require.Equal(t, policy.Accept, d.Verdict, "same TLP, back to the originator and a member that had it")

	d = e.Decide(policy.Request{Sender: "le-alpha", Bundle: green, Prior: prior})
	require.Equal(t, policy.Accept, d.Verdict, "the originator may lower and widen")
}

func TestLimits(t *testing.T) {
	m := policy.DemoMoU()
	m.Rules.Limits.MaxObjects = 1
	e, err := policy.NewEngine(m)
	require.NoError(t, err)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(indicator("01", marked(green1)), indicator("02", marked(green1)))})
	require.Equal(t, policy.Reject, d.Verdict)
	require.Contains(t, codes(d.Reasons), policy.Code("size.objects"))

	m = policy.DemoMoU()
	m.Rules.Limits.MaxBytes = 100
	e, err = policy.NewEngine(m)
	require.NoError(t, err)
	d = e.Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(indicator("01", marked(green1)))})
	require.Equal(t, []policy.Code{policy.CodeSizeBytes}, codes(d.Reasons))
}

func TestNotJSON(t *testing.T) {
	d := demoEngine(t).Decide(policy.Request{Sender: "bank-one", Bundle: []byte(`{"type":"bundle",`)})
	require.Equal(t, policy.Reject, d.Verdict)
	require.Equal(t, policy.CodeSTIXSyntax, d.Reasons[0].Code)
	_, err := d.Part(policy.Route{})
	require.ErrorIs(t, err, policy.ErrNoDocument)
}

func TestSingleObjectDocument(t *testing.T) {
	d := demoEngine(t).Decide(policy.Request{Sender: "bank-one", Bundle: []byte(indicator("01", marked(green1)))})
	require.Equal(t, policy.Accept, d.Verdict)
	part, err := d.Part(d.Routes[0])
	require.NoError(t, err)
	require.Contains(t, string(part), ind1)
}

func TestPart(t *testing.T) {
	e := demoEngine(t)
	b := readCase(t, "mixed-green-red-addressed.json")
	d := e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: b})
	require.Len(t, d.Routes, 2)
	ids := map[string]bool{}
	for _, r := range d.Routes {
		part, err := d.Part(r)
		require.NoError(t, err)
		again, err := e.Decide(policy.Request{Sender: "bank-one", To: []string{"le-alpha"}, Bundle: b}).Part(r)
		require.NoError(t, err)
		require.Equal(t, part, again, "deterministic")
		var bundle struct {
			Type    string
			ID      string
			Objects []struct{ ID string }
		}
		require.NoError(t, json.Unmarshal(part, &bundle))
		require.Equal(t, "bundle", bundle.Type)
		require.Regexp(t, `^bundle--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, bundle.ID)
		require.False(t, ids[bundle.ID], "one id per route")
		ids[bundle.ID] = true
		require.Len(t, bundle.Objects, len(r.Objects))
		for k, i := range r.Objects {
			require.Equal(t, d.Objects[i].ID, bundle.Objects[k].ID)
		}
		if r.TLP == tlp.Green {
			require.NotContains(t, string(part), "Victim-specific lure", "the red indicator never rides in the green part")
		}
	}
	_, err := d.Part(policy.Route{TLP: tlp.Amber, Scope: "all"})
	require.Error(t, err)
}

func TestMarkingRejectedWithItsDefinition(t *testing.T) {
	const md = "marking-definition--11111111-2222-4333-8444-555555555555"
	// A statement marking without "created" is not valid STIX.
	statement := `{"type":"marking-definition","spec_version":"2.1","id":"` + md + `","definition_type":"statement","definition":{"statement":"Copyright Example"}}`
	d := demoEngine(t).Decide(policy.Request{Sender: "bank-one", Bundle: bundleOf(statement, indicator("01", marked(green1, md)), indicator("02", marked(green1)))})
	require.Equal(t, policy.Partial, d.Verdict)
	require.Contains(t, codes(d.Objects[0].Reasons), policy.CodeSTIXInvalid)
	require.Equal(t, []policy.Code{policy.CodeMarkingRejected}, codes(d.Objects[1].Reasons))
	require.True(t, d.Objects[2].Shared)
}

// TestInvalidCorpusFindingsBecomeReasons: every error the validator finds
// in an invalid corpus file is in the decision, with its pointer and a
// stix.* code, and nothing invalid is shared.
func TestInvalidCorpusFindingsBecomeReasons(t *testing.T) {
	e := demoEngine(t)
	v := schemas.NewValidator(schemas.Options{})
	findings := 0
	t.Cleanup(func() { require.Greater(t, findings, 100, "the validator found next to nothing in the invalid corpus") })
	for _, file := range stixtest.CorpusFiles(t, "invalid") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			bundle, err := os.ReadFile(file)
			require.NoError(t, err)
			_, rep := v.Validate(bundle)
			findings += len(rep.Errors)
			d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundle})
			var all []policy.Reason
			all = append(all, d.Reasons...)
			for _, o := range d.Objects {
				all = append(all, o.Reasons...)
			}
			for _, f := range rep.Errors {
				found := slices.ContainsFunc(all, func(r policy.Reason) bool {
					return strings.HasPrefix(string(r.Code), "stix.") && r.Pointer == f.Pointer && strings.Contains(r.Message, f.Rule)
				})
				require.True(t, found, "finding %+v is not in the decision", f)
				if f.Object >= 0 && f.Object < len(d.Objects) {
					require.False(t, d.Objects[f.Object].Shared, "an invalid object is never shared")
				}
			}
		})
	}
}
