package portal_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/hubtest"
)

var requestIDRE = regexp.MustCompile(`geneva-request--[0-9a-f-]{36}`)

func preservation(to ...string) url.Values {
	return url.Values{"kind": {"preservation"}, "to": to, "tlp": {"amber+strict"}, "deadline_hours": {"48"},
		"summary": {"Preserve connection logs for 198.51.100.7"}, "observables": {"198.51.100.7"},
		"legal_basis": {"Budapest Convention Art. 29"}, "reference": {"NCU-2026-0412"}, "unit": {"Alpha Cybercrime Unit"},
		"jurisdiction": {"no"}, "offence": {"Ransomware extortion"}, "facts": {"A hospital's systems were encrypted"},
		"data": {"NAT and connection logs"}, "relation": {"The address reached the victim's VPN"},
		"custodian": {"ISP Two B.V."}, "necessity": {"Logs rotate after 14 days"}, "mutual_assistance": {"yes"},
		"preservation_days": {"90"}}
}

// A preservation request sent in the portal goes through the member's
// intake (the MoU's request rules apply: a bank may not send one), reaches
// the tracker, is answered by its recipient in the portal, closed by its
// requester, and a third member never sees it.
func TestRequestsInThePortal(t *testing.T) {
	h := devHub(t)
	bank := signIn(t, h, "bank-one-admin", 0)
	bank.get("/portal/requests")
	bank.post("/portal/requests", preservation("isp-two"))
	mustContain(t, "bank-one's preservation request", bank.body, "<strong>reject</strong>", "request.sender_not_allowed")

	le := signIn(t, h, "le-alpha-admin", 0)
	le.get("/portal/requests")
	if le.post("/portal/requests", preservation("isp-two")) != 200 {
		t.Fatalf("send: %d:\n%s", le.status, le.body)
	}
	mustContain(t, "receipt", le.body, "<strong>accept</strong>", "TLP:amber&#43;strict to isp-two")

	isp := signIn(t, h, "isp-two-admin", 0)
	var id string
	hubtest.Eventually(t, 10*time.Second, func() error {
		isp.get("/portal/requests")
		if id = requestIDRE.FindString(isp.body); id == "" || !strings.Contains(isp.body, "le-alpha → isp-two") {
			return errors.New("isp-two's requests page does not list it yet")
		}
		return nil
	})
	isp.get("/portal/requests/show?id=" + id)
	mustContain(t, "request page", isp.body, "Ransomware extortion", "<span class=\"state\">open</span>", "Send the answer")
	if strings.Contains(isp.body, "Close this request") {
		t.Fatal("the recipient is offered to close the request")
	}
	if isp.post("/portal/requests/respond", url.Values{"id": {id}, "status": {"acknowledged"}, "note": {"Logs frozen"}}) != 200 {
		t.Fatalf("acknowledge: %d:\n%s", isp.status, isp.body)
	}
	mustContain(t, "acknowledgement's receipt", isp.body, "<strong>accept</strong>", "to le-alpha")
	hubtest.Eventually(t, 10*time.Second, func() error {
		le.get("/portal/requests/show?id=" + id)
		if !strings.Contains(le.body, `<span class="state">acknowledged</span>`) {
			return errors.New("le-alpha does not see the acknowledgement yet")
		}
		return nil
	})
	// isp-two asks for more time; le-alpha extends, and isp-two's page shows the new version.
	isp.get("/portal/requests/show?id=" + id)
	isp.post("/portal/requests/extend", url.Values{"id": {id}, "deadline_hours": {"96"}})
	mustContain(t, "the recipient's extension", isp.body, "Only the member that sent a request extends it")
	le.get("/portal/requests/show?id=" + id)
	if le.post("/portal/requests/extend", url.Values{"id": {id}, "deadline_hours": {"96"}, "preservation_days": {"120"}}) != 200 {
		t.Fatalf("extend: %d:\n%s", le.status, le.body)
	}
	mustContain(t, "extension's receipt", le.body, "<strong>accept</strong>", "to isp-two")
	hubtest.Eventually(t, 10*time.Second, func() error {
		isp.get("/portal/requests/show?id=" + id)
		if !strings.Contains(isp.body, "<dd>120 days</dd>") || !strings.Contains(isp.body, "extended") {
			return errors.New("isp-two does not see the extension yet")
		}
		return nil
	})
	// Only the requester closes it; the recipient's attempt is refused.
	isp.get("/portal/requests/show?id=" + id)
	isp.post("/portal/requests/close", url.Values{"id": {id}})
	mustContain(t, "recipient's close", isp.body, "Not closed")
	le.post("/portal/requests/close", url.Values{"id": {id}})
	mustContain(t, "closed", le.body, `<span class="state">closed</span>`)

	bank.get("/portal/requests")
	if strings.Contains(bank.body, id) {
		t.Fatal("a third member sees the request")
	}
	if bank.get("/portal/requests/show?id="+id) != http.StatusNotFound {
		t.Fatalf("a third member opens the request: %d", bank.status)
	}
	bank.get("/portal/on-duty?type=industry")
	mustContain(t, "on duty", bank.body, "isp-two: ISP Two abuse and NOC", "noc@isp-two.example")
	if strings.Contains(bank.body, "le-alpha:") {
		t.Fatal("the industry filter shows law enforcement")
	}
}
