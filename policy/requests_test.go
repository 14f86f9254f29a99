package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// requestBundle is a request of kind from the member with identity creator
// about one IPv4 address, at level.
func requestBundle(t *testing.T, kind, creator string, level tlp.Level, edit func(map[string]any)) []byte {
	t.Helper()
	return requeststest.RequestBundle(t, requeststest.Preservation(t, kind, creator, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)), level, edit)
}

// requestDecision is the decision on the request object (index 0).
func requestCodes(d policy.Decision) []policy.Code { return codes(d.Objects[0].Reasons) }

// TestRequestRules: who may send which request, at which TLP, to whom;
// the classified guard and the other rules apply unchanged.
func TestRequestRules(t *testing.T) {
	e := demoEngine(t)
	isp := []string{"isp-two"}
	for name, tc := range map[string]struct {
		sender, kind, creator string
		to                    []string
		level                 tlp.Level
		edit                  func(map[string]any)
		want                  policy.Verdict
		code                  policy.Code
	}{
		"LE preserves at an ISP":           {"le-alpha", "preservation", leAlphaIdentity, isp, tlp.AmberStrict, nil, policy.Accept, ""},
		"LE preserves at RED":              {"le-alpha", "preservation", leAlphaIdentity, isp, tlp.Red, nil, policy.Accept, ""},
		"industry may not preserve":        {"bank-one", "preservation", bankOneIdentity, isp, tlp.AmberStrict, nil, policy.Reject, policy.CodeRequestSender},
		"a CERT may not preserve":          {"cert-three", "preservation", "identity--1195cc95-0b6e-5315-a54a-aea41944c2b4", isp, tlp.AmberStrict, nil, policy.Reject, policy.CodeRequestSender},
		"industry may ask for information": {"bank-one", "information", bankOneIdentity, []string{"le-alpha"}, tlp.AmberStrict, nil, policy.Accept, ""},
		"industry may not ask a takedown":  {"bank-one", "takedown", bankOneIdentity, isp, tlp.AmberStrict, nil, policy.Reject, policy.CodeRequestSender},
		"not at AMBER":                     {"le-alpha", "preservation", leAlphaIdentity, isp, tlp.Amber, nil, policy.Reject, policy.CodeRequestTLP},
		"not at GREEN":                     {"le-alpha", "information", leAlphaIdentity, isp, tlp.Green, nil, policy.Reject, policy.CodeRequestTLP},
		"only to named members":            {"le-alpha", "preservation", leAlphaIdentity, nil, tlp.AmberStrict, nil, policy.Reject, policy.CodeRequestRecipients},
		"spoofed requester":                {"bank-one", "information", leAlphaIdentity, isp, tlp.AmberStrict, nil, policy.Reject, policy.CodeProvenanceSpoofed},
		"classified summary": {"le-alpha", "preservation", leAlphaIdentity, isp, tlp.AmberStrict,
			func(o map[string]any) { o["summary"] = "TOP SECRET//NOFORN\nPreserve logs" }, policy.Reject, policy.CodeClassifiedBanner},
	} {
		t.Run(name, func(t *testing.T) {
			d := e.Decide(policy.Request{Sender: tc.sender, To: tc.to, Bundle: requestBundle(t, tc.kind, tc.creator, tc.level, tc.edit)})
			require.Equal(t, tc.want, d.Verdict, "%+v %+v", d.Reasons, d.Objects)
			if tc.code == "" {
				require.Equal(t, tc.to, d.Receivers())
				require.Equal(t, schemas.TypeRequest, d.Objects[0].Type)
				return
			}
			all := append(codes(d.Reasons), requestCodes(d)...)
			require.Contains(t, all, tc.code)
		})
	}
	t.Run("the MoU may let an industry member preserve", func(t *testing.T) {
		m := policy.DemoMoU()
		m.Requests.Senders.Preservation = policy.AcceptsFrom{string(policy.LawEnforcement), "bank-one"}
		e, err := policy.NewEngine(m)
		require.NoError(t, err)
		d := e.Decide(policy.Request{Sender: "bank-one", To: isp, Bundle: requestBundle(t, "preservation", bankOneIdentity, tlp.AmberStrict, nil)})
		require.Equal(t, policy.Accept, d.Verdict, "%+v", d.Objects)
	})
}

func TestRequestsSectionDefaultsAndErrors(t *testing.T) {
	var r policy.Requests
	require.Equal(t, policy.AcceptsFrom{"law-enforcement"}, r.SendersOf("preservation"))
	require.Equal(t, policy.AcceptsFrom{"partnership"}, r.SendersOf("takedown"))
	require.Equal(t, tlp.AmberStrict, r.MinLevel())
	require.Equal(t, time.Hour, r.AckWithin())
	for bad, want := range map[string]string{
		"min_tlp: amber+strict":    "",
		"min_tlp: green":           `requests.min_tlp: "green": want amber+strict or red`,
		"acknowledge_within: 1h":   "",
		"acknowledge_within: soon": `requests.acknowledge_within: "soon" is not a positive duration`,
	} {
		y := []byte(replaceOnce(string(policy.DemoMoUYAML()), "min_tlp: amber+strict", bad))
		if bad[:3] == "ack" {
			y = []byte(replaceOnce(string(policy.DemoMoUYAML()), "acknowledge_within: 1h", bad))
		}
		_, err := policy.ParseMoU("t.yaml", y)
		if want == "" {
			require.NoError(t, err)
			continue
		}
		require.ErrorContains(t, err, want)
	}
	_, err := policy.ParseMoU("t.yaml", []byte(replaceOnce(string(policy.DemoMoUYAML()), "takedown: [law-enforcement, cert]", "takedown: [sheriff]")))
	require.ErrorContains(t, err, `requests.senders.takedown[0]: "sheriff" is neither partnership, a member type nor a member id`)
}

func replaceOnce(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("not found: " + old)
	}
	return strings.Replace(s, old, new, 1)
}
