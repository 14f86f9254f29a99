package taxii_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// submitCollection is the TAXII collection that addresses a submission as
// geneva submit --to/--community/--anonymous would.
func submitCollection(to []string, community string, anonymous bool) string {
	c := "submit"
	if anonymous {
		c += "-anonymous"
	}
	switch {
	case len(to) > 0:
		c += "-to-" + strings.Join(to, "+")
	case community != "":
		c += "-community-" + community
	}
	return c
}

// decision is what must be the same through NATS and TAXII.
type decision struct {
	Verdict string
	Codes   []string
	Routes  []string // tlp scope audience
	Shared  map[string][]string
}

func decisionOf(r wire.Receipt) decision {
	d := decision{Verdict: r.Verdict.String(), Shared: map[string][]string{}}
	for _, rs := range r.Reasons {
		d.Codes = append(d.Codes, string(rs.Code))
	}
	for _, o := range r.Objects {
		for _, rs := range o.Reasons {
			d.Codes = append(d.Codes, string(rs.Code))
		}
		if o.Shared {
			d.Shared[o.ID] = o.Audience
		}
	}
	for _, rt := range r.Routes {
		d.Routes = append(d.Routes, rt.TLP.String()+" "+rt.Scope+" "+strings.Join(rt.Audience, ","))
	}
	slices.Sort(d.Codes)
	d.Codes = slices.Compact(d.Codes)
	slices.Sort(d.Routes)
	return d
}

// TestPolicyCasesThroughTAXII posts every row of policy-cases/CASES.tsv,
// then every row again anonymously (submit-anonymous…), through TAXII to
// one hub and through NATS to another: the decisions
// (verdict, reason codes, routes, shared objects) are the same, the status
// resource says it, and each member's TAXII inbox then holds exactly the
// objects policy routed to it: a RED or AMBER+STRICT object only in its
// named recipients' inboxes.
func TestPolicyCasesThroughTAXII(t *testing.T) {
	cases := stixtest.PolicyCases(t)
	viaNATS := hubtest.StartHub(t)
	viaTAXII := startHub(t)
	tokens := map[string]string{}
	senders := map[string]*hubtest.Member{}
	for _, m := range policy.DemoMoU().Members {
		tokens[m.ID] = viaTAXII.token(t, m.ID)
		senders[m.ID] = viaNATS.Member(t, m.ID)
	}
	routed := map[string]map[string]bool{} // member → object ids policy routed to it through TAXII
	// Every case, then every case anonymous.
	for i := range 2 * len(cases) {
		c, anonymous := cases[i%len(cases)], i >= len(cases)
		file, sender, to, community, bundle := c.File, c.Sender, c.To, c.Community, c.Bundle
		var b struct{ Objects []json.RawMessage }
		require.NoError(t, json.Unmarshal(bundle, &b))

		senders[sender].Submit(t, bundle, wire.SubmitOptions{To: to, Community: community, Anonymous: anonymous})
		want := decisionOf(senders[sender].NextReceipt(t, 10*time.Second))

		path := fmt.Sprintf("/taxii2/%s/collections/%s/objects/", sender, submitCollection(to, community, anonymous))
		st := viaTAXII.call(t, "POST", path, tokens[sender], envelope(anySlice(b.Objects)...))
		require.Equal(t, 202, st.status, "%s: %s", file, st.body)
		status := st.json(t)
		require.Equal(t, "complete", status["status"], "%s: %s", file, st.body)
		require.Equal(t, want.Verdict, status["x_geneva_verdict"], "%s", file)
		require.EqualValues(t, len(b.Objects), status["total_count"])
		shared := 0
		for _, s := range want.Shared {
			if s != nil {
				shared++
			}
		}
		require.EqualValues(t, shared, status["success_count"], "%s: %s", file, st.body)
		if want.Verdict == "reject" {
			require.EqualValues(t, len(b.Objects), status["failure_count"], "%s: %s", file, st.body)
			for _, code := range want.Codes {
				require.Contains(t, string(st.body), code, "%s: the status names the reason codes", file)
			}
		}

		got := viaTAXII.nextReceipt(t, sender)
		require.Equal(t, want, decisionOf(got), "%s (anonymous %v): TAXII and NATS decide alike", file, anonymous)
		require.Equal(t, anonymous, got.Anonymous, "%s", file)
		for id, audience := range decisionOf(got).Shared {
			for _, m := range audience {
				if routed[m] == nil {
					routed[m] = map[string]bool{}
				}
				routed[m][id] = true
			}
		}
	}

	// A sentinel to everyone from a member that is not asked: once each
	// inbox shows it, everything stored before it is indexed too.
	sentinel := indicator(999)
	st := viaTAXII.call(t, "POST", "/taxii2/cert-three/collections/submit/objects/", tokens["cert-three"], envelope(sentinel))
	require.Equal(t, "accept", st.json(t)["x_geneva_verdict"], "%s", st.body)
	for _, m := range policy.DemoMoU().Members {
		ids := map[string]bool{}
		hubtest.Eventually(t, 10*time.Second, func() error {
			ids = viaTAXII.inboxIDs(t, m.ID, tokens[m.ID])
			if m.ID != "cert-three" && !ids[sentinel["id"].(string)] {
				return fmt.Errorf("%s: the sentinel is not in its inbox yet", m.ID)
			}
			return nil
		})
		delete(ids, sentinel["id"].(string))
		require.Equal(t, keys(routed[m.ID]), keys(ids), "%s's TAXII inbox holds exactly what policy routed to it", m.ID)
	}
}

// nextReceipt reads member's next receipt from the TAXII hub.
func (h *taxiiHub) nextReceipt(t *testing.T, member string) wire.Receipt {
	t.Helper()
	m, err := h.Connect(member)
	require.NoError(t, err)
	defer m.NC.Close()
	return m.NextReceipt(t, 10*time.Second)
}

// inboxIDs pages through member's inbox (every version) by next.
func (h *taxiiHub) inboxIDs(t *testing.T, member, token string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	next := ""
	for {
		env := h.call(t, "GET", "/taxii2/"+member+"/collections/inbox/objects/?limit=50&match[version]=all"+next, token, nil).page(t)
		for _, o := range env.Objects {
			ids[o.ID] = true
		}
		if !env.More {
			return ids
		}
		next = "&next=" + env.Next
	}
}

func keys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
