package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// restart stops h and starts a hub on the same data dir; browsers follow
// it to its new address (a cookie is kept per host, whatever the port).
func restart(t *testing.T, h *hubtest.Hub, browsers ...*browser) *hubtest.Hub {
	t.Helper()
	if err := h.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	h = hubtest.StartHub(t, hubtest.WithDir(h.Dir), hubtest.WithConfig(func(c *hub.Config) { c.Dev = true }))
	for _, b := range browsers {
		b.base = "http://" + h.HTTPAddr()
	}
	return h
}

// A signed-in session and the accounts survive a restart of the hub;
// signing out (here, or everywhere from another browser, or by the
// operator) ends sessions for good, restart or not.
func TestSessionsAndAccountsSurviveARestart(t *testing.T) {
	h := devHub(t)
	admin := signIn(t, h, "bank-one-admin", 0)
	invite := func(name string) account {
		admin.get("/portal/people")
		admin.post("/portal/people", url.Values{"name": {name}, "role": {"analyst"}})
		m := createdRE.FindStringSubmatch(admin.body)
		if m == nil {
			t.Fatalf("no initial password shown:\n%s", admin.body)
		}
		return account{user: name, password: m[1], totp: m[2]}
	}
	dave, erin := invite("dave"), invite("erin")
	daveLaptop := signInAs(t, h, dave, 0)
	out := signIn(t, h, "le-alpha-admin", 0)
	out.get("/portal/feed")
	out.post("/portal/logout", url.Values{})

	// The bucket holds the session by its id's SHA-256, never the id: a
	// reader of the bucket (or a backup) cannot take the session over.
	cookie := admin.cookie("geneva-session")
	sum := sha256.Sum256([]byte(cookie))
	kv, err := h.Member(t, wire.OperatorName).JS.KeyValue(context.Background(), hub.BucketPortal)
	if err != nil {
		t.Fatal(err)
	}
	lister, err := kv.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	if !slices.Contains(keys, "session."+hex.EncodeToString(sum[:])) {
		t.Fatalf("the signed-in session is not stored by its hash: %v", keys)
	}
	for _, k := range keys {
		if e, err := kv.Get(context.Background(), k); err != nil || strings.Contains(k+string(e.Value()), cookie) {
			t.Fatalf("%s holds the session id (%v)", k, err)
		}
	}

	h = restart(t, h, admin, daveLaptop, out)
	if admin.get("/portal/people"); admin.url != "/portal/people" {
		t.Fatalf("after a restart the session opens %s, not the people page", admin.url)
	}
	mustContain(t, "people after the restart", admin.body, "<strong>dave</strong>", "<strong>erin</strong>")
	if daveLaptop.get("/portal/feed"); daveLaptop.url != "/portal/feed" {
		t.Fatalf("after a restart dave's session opens %s", daveLaptop.url)
	}
	if out.get("/portal/feed"); out.url != "/portal/login" {
		t.Fatalf("a signed-out session came back after the restart: %s", out.url)
	}

	// dave signs in on a second browser (his password and TOTP secret were
	// kept) and signs out everywhere from there: the first one ends too.
	daveDesk := signInAs(t, h, dave, 1)
	daveDesk.post("/portal/logout", url.Values{"everywhere": {"yes"}})
	if daveLaptop.get("/portal/feed"); daveLaptop.url != "/portal/login" {
		t.Fatalf("sign out everywhere left another session open at %s", daveLaptop.url)
	}

	// The member admin ends erin's sessions; she can sign in again.
	erinLaptop := signInAs(t, h, erin, 0)
	admin.get("/portal/people")
	admin.post("/portal/people/signout", url.Values{"name": {"erin"}})
	if erinLaptop.get("/portal/feed"); erinLaptop.url != "/portal/login" {
		t.Fatalf("the member admin's sign-out left erin at %s", erinLaptop.url)
	}
	if again := signInAs(t, h, erin, 1); again.get("/portal/feed") != 200 || again.url != "/portal/feed" {
		t.Fatalf("erin signing in again: %d at %s", again.status, again.url)
	}

	// The operator ends the member admin's sessions, for good.
	req, _ := json.Marshal(hub.PortalUserRequest{Action: "signout", User: "bank-one-admin"})
	msg, err := h.Member(t, wire.OperatorName).NC.Request(hub.SubjectPortalService, req, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var reply hub.PortalUserReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil || reply.Error != "" {
		t.Fatalf("signout: %v %q", err, reply.Error)
	}
	restart(t, h, admin)
	if admin.get("/portal/people"); admin.url != "/portal/login" {
		t.Fatalf("the operator's sign-out did not hold across a restart: %s", admin.url)
	}
}
