// Package requeststest builds law-enforcement requests and responses for
// tests.
package requeststest

import (
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Identities of the demo members.
const (
	LEAlpha = "identity--7b9e62c2-a798-54d9-a252-01713835b54f"
	BankOne = "identity--77009411-84ad-5afa-a7f2-75748f36ad3f"
	ISPTwo  = "identity--0fd9d05e-820a-5a62-aa19-b73cd97bff54"
)

// IP is the address the requests concern.
const IP = "ipv4-addr:198.51.100.7"

// Preservation is a complete preservation request (Budapest Convention Art.
// 29(2)) by the member with identity creator, made at at, about IP, due in
// 48 hours, for 90 days.
func Preservation(t testing.TB, kind, creator string, at time.Time) requests.Request {
	t.Helper()
	ip := Observable(t)
	return requests.Request{ID: requests.NewID(schemas.TypeRequest), CreatedBy: creator, Created: at,
		Kind: kind, Summary: "Preserve subscriber and connection logs for 198.51.100.7",
		LegalBasis: "Budapest Convention Art. 29; Straffeprosessloven § 215a", LegalReference: "NCU-2026-0412",
		RequestingUnit: "Alpha National Cybercrime Unit", Deadline: at.Add(48 * time.Hour),
		ObservableRefs: []string{ip["id"].(string)}, WindowStart: at.Add(-72 * time.Hour), WindowEnd: at, Jurisdiction: "NO",
		Offence: "Ransomware extortion", FactsSummary: "A hospital's systems were encrypted; the operators connected from this address.",
		DataToPreserve: "Subscriber records and NAT/connection logs for the address in the window", RelationToOffence: "The address connected to the victim's VPN gateway before the encryption",
		Custodian: "ISP Two B.V., AS64500", Necessity: "Connection logs rotate after 14 days", MutualAssistanceToFollow: true, PreservationDays: 90}
}

// Observable is IP's SCO at AMBER+STRICT.
func Observable(t testing.TB) map[string]any {
	t.Helper()
	o, err := requests.Observable(IP, tlp.AmberStrict)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// RequestBundle is r and its observable, marked at level.
func RequestBundle(t testing.TB, r requests.Request, level tlp.Level, edit func(map[string]any)) []byte {
	t.Helper()
	o := r.Object(level)
	if edit != nil {
		edit(o)
	}
	ip, err := requests.Observable(IP, level)
	if err != nil {
		t.Fatal(err)
	}
	b, err := requests.Bundle(o, ip)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ResponseBundle is a response with status to request by the member with
// identity creator, at AMBER+STRICT.
func ResponseBundle(t testing.TB, request, creator, status string, at time.Time, edit func(*requests.Response)) []byte {
	t.Helper()
	r := requests.Response{ID: requests.NewID(schemas.TypeResponse), CreatedBy: creator, Created: at, RequestRef: request, Status: status}
	if edit != nil {
		edit(&r)
	}
	b, err := requests.Bundle(r.Object(tlp.AmberStrict))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
