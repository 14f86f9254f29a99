package portal_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/schemas"
)

func TestSignInWithPasswordAndTOTP(t *testing.T) {
	h := devHub(t)
	a := readAccount(t, h, "bank-one-admin")
	b := newBrowser(t, h)
	b.get("/portal/login")
	csp := b.headers.Get("Content-Security-Policy")
	mustContain(t, "CSP", csp, "default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
	if strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP allows unsafe sources: %s", csp)
	}
	setCookie := b.headers.Get("Set-Cookie")
	mustContain(t, "session cookie", setCookie, "geneva-session=", "HttpOnly", "SameSite=Strict", "Path=/")

	for _, wrong := range []url.Values{
		{"user": {a.user}, "password": {a.password + "x"}},
		{"user": {"nobody"}, "password": {a.password}},
	} {
		if b.post("/portal/login", wrong) != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d at %s", b.status, b.url)
		}
		mustContain(t, "refusal", b.body, "Wrong user name or password.")
	}
	b.post("/portal/login", url.Values{"user": {a.user}, "password": {a.password}})
	if b.url != "/portal/login/totp" {
		t.Fatalf("after the password: %s", b.url)
	}
	if b.get("/portal/report"); b.url != "/portal/login" {
		t.Fatalf("the password alone opened %s", b.url)
	}
	b.get("/portal/login/totp")
	good := totpCode(t, a, 0)
	bad := []byte(good)
	bad[0] = '0' + (bad[0]-'0'+5)%10
	if b.post("/portal/login/totp", url.Values{"code": {string(bad)}}) != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d at %s", b.status, b.url)
	}
	b.post("/portal/login/totp", url.Values{"code": {good}})
	if b.status != 200 || b.url != "/portal/report" {
		t.Fatalf("after the code: %d at %s:\n%s", b.status, b.url, b.body)
	}
	mustContain(t, "report page", b.body, "bank-one-admin · bank-one · member-admin")

	// A code works once: someone who saw it cannot use it again.
	again := newBrowser(t, h)
	again.get("/portal/login")
	again.post("/portal/login", url.Values{"user": {a.user}, "password": {a.password}})
	if again.post("/portal/login/totp", url.Values{"code": {good}}) != http.StatusUnauthorized {
		t.Fatalf("a used code signed in again: %d at %s", again.status, again.url)
	}
	mustContain(t, "refusal", again.body, "used already")
}

func TestPostsWithoutTheSessionsCSRFTokenAreRefused(t *testing.T) {
	h := devHub(t)
	b := signIn(t, h, "bank-one-admin", 0)
	b.get("/portal/report")
	token := b.csrf()
	other := newBrowser(t, h)
	other.get("/portal/login")
	form := func(csrf string) url.Values {
		f := incident("CSRF probe", "198.51.100.1", "green")
		if csrf != "-" {
			f.Set("csrf", csrf)
		}
		return f
	}
	for name, f := range map[string]url.Values{
		"no token": form(""), "a wrong token": form("x" + token), "another session's token": form(other.csrf()),
	} {
		if b.post("/portal/report", f) != http.StatusForbidden {
			t.Errorf("%s: %d", name, b.status)
		}
	}
	if b.post("/portal/report", form(token), "Origin", "http://evil.example") != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", b.status)
	}
	if b.post("/portal/logout", url.Values{"csrf": {""}}) != http.StatusForbidden {
		t.Errorf("logout without token: %d", b.status)
	}
	anon := newBrowser(t, h)
	if anon.post("/portal/login", url.Values{"user": {"bank-one-admin"}, "password": {"x"}, "csrf": {""}}) != http.StatusForbidden {
		t.Errorf("sign-in without a session or token: %d", anon.status)
	}
	// The same form with the session's token goes through.
	if b.post("/portal/report", form(token)) != 200 {
		t.Fatalf("with the token: %d:\n%s", b.status, b.body)
	}
	mustContain(t, "preview", b.body, "The policy's verdict")
}

func TestSessionFixationIsRefused(t *testing.T) {
	h := devHub(t)
	attacker := newBrowser(t, h)
	attacker.get("/portal/login")
	planted := attacker.cookie("geneva-session")
	if planted == "" {
		t.Fatal("no session cookie on the sign-in page")
	}
	// The victim's browser carries the attacker's session id and signs in.
	a := readAccount(t, h, "le-alpha-admin")
	victim := newBrowser(t, h)
	u, _ := url.Parse(victim.base + "/portal/")
	victim.c.Jar.SetCookies(u, []*http.Cookie{{Name: "geneva-session", Value: planted, Path: "/"}})
	victim.get("/portal/login")
	victim.post("/portal/login", url.Values{"user": {a.user}, "password": {a.password}})
	victim.post("/portal/login/totp", url.Values{"code": {totpCode(t, a, 0)}})
	if victim.url != "/portal/report" {
		t.Fatalf("victim not signed in: %s", victim.url)
	}
	if victim.cookie("geneva-session") == planted {
		t.Fatal("the session id did not change at sign-in")
	}
	if attacker.get("/portal/feed"); attacker.url != "/portal/login" {
		t.Fatalf("the planted id opened the victim's %s", attacker.url)
	}
	// An id the server never issued is not taken up.
	made := newBrowser(t, h)
	made.c.Jar.SetCookies(u, []*http.Cookie{{Name: "geneva-session", Value: "attacker-made-id", Path: "/"}})
	made.get("/portal/login")
	if made.cookie("geneva-session") == "attacker-made-id" {
		t.Fatal("a session id the hub never issued was kept")
	}
}

// bank-one reports to the law-enforcement members by name: le-alpha's feed
// shows it live; isp-two's never does, whatever its query asks.
func TestReportReachesOnlyItsAudiencesFeeds(t *testing.T) {
	h := devHub(t)
	bank := signIn(t, h, "bank-one-admin", 0)
	le := signIn(t, h, "le-alpha-admin", 0)
	isp := signIn(t, h, "isp-two-admin", 0)
	leFeed := le.events("")
	leGreen := le.events("?tlp=green")
	ispFeed := isp.events("?member=le-alpha&sender=bank-one")

	bank.get("/portal/report")
	bank.post("/portal/report", incident("Phishing wave", "203.0.113.77\nevil-bank.example", "amber", "le-alpha", "le-bravo"))
	mustContain(t, "preview", bank.body, "verdict: ACCEPT", "TLP:AMBER to le-alpha,", "TLP:AMBER to le-bravo,", "indicator--")
	receipt := bank.report(incident("Phishing wave", "203.0.113.77\nevil-bank.example", "amber", "le-alpha", "le-bravo"))
	mustContain(t, "receipt", receipt, "Verdict: <strong>accept</strong>", "at TLP:amber to le-alpha", "at TLP:amber to le-bravo")

	ev := waitFor(t, "le-alpha", leFeed, "203.0.113.77", 10*time.Second)
	if ev.Sender != "bank-one" || ev.TLP != "amber" {
		t.Fatalf("le-alpha's card: sender %q, TLP %q", ev.Sender, ev.TLP)
	}
	// A later report to everyone reaches isp-two; the first, earlier in the
	// stream, would have come before it.
	bank.report(incident("Scanning", "203.0.113.78", "green"))
	waitFor(t, "isp-two", ispFeed, "203.0.113.78", 10*time.Second, "203.0.113.77")
	waitFor(t, "le-alpha (TLP:GREEN only)", leGreen, "203.0.113.78", 10*time.Second, "203.0.113.77")

	// le-bravo writes to its community le: le-alpha's community filter shows
	// that and neither earlier report (named, and to everyone).
	leOnly := le.events("?community=le")
	bravo := signIn(t, h, "le-bravo-admin", 0)
	community := incident("Botnet C2", "203.0.113.79", "green")
	community.Set("audience", "community")
	community.Set("community", "le")
	bravo.report(community)
	waitFor(t, "le-alpha (community le only)", leOnly, "203.0.113.79", 10*time.Second, "203.0.113.77", "203.0.113.78")

	// Exports: le-alpha's indicators hold both reports', isp-two's never the first.
	if le.get("/portal/feed/export?type=indicator") != 200 || le.headers.Get("Content-Type") != "application/stix+json;version=2.1" {
		t.Fatalf("export: %d %s", le.status, le.headers.Get("Content-Type"))
	}
	if _, rep := schemas.NewValidator(schemas.Options{}).Validate([]byte(le.body)); !rep.Valid() {
		t.Fatalf("le-alpha's export is not valid STIX: %+v", rep.Errors)
	}
	var exported struct {
		Objects []struct{ Type, Pattern string }
	}
	_ = json.Unmarshal([]byte(le.body), &exported)
	var patterns []string
	for _, o := range exported.Objects {
		if o.Type != "indicator" && o.Type != "marking-definition" {
			t.Errorf("a type=indicator export holds a %s", o.Type)
		}
		patterns = append(patterns, o.Pattern)
	}
	mustContain(t, "le-alpha's export", strings.Join(patterns, " "), "203.0.113.77", "203.0.113.78")
	isp.get("/portal/feed/export")
	mustContain(t, "isp-two's export", isp.body, "203.0.113.78")
	if strings.Contains(isp.body, "203.0.113.77") {
		t.Fatal("isp-two's export holds the report addressed to le-alpha and le-bravo")
	}

	// The receipts page lists both.
	bank.get("/portal/receipts")
	if n := strings.Count(bank.body, "<strong>accept</strong>"); n != 2 {
		t.Fatalf("receipts page shows %d accepted reports, want 2:\n%s", n, bank.body)
	}
}

func TestClassifiedReportIsRefusedWithItsReason(t *testing.T) {
	h := devHub(t)
	bank := signIn(t, h, "bank-one-admin", 0)
	bank.get("/portal/report")
	bank.post("/portal/report", incident("SECRET//REL TO USA, GBR - staging host", "198.51.100.9", "green"))
	mustContain(t, "preview", bank.body, "The hub would refuse this report", "classified.banner", "CLASSIFIED MATERIAL")
	if draftRE.MatchString(bank.body) {
		t.Fatal("a refused report can still be sent")
	}
}

func TestRolesAndDirectory(t *testing.T) {
	h := devHub(t)
	op := signIn(t, h, "operator", 0)
	for _, path := range []string{"/portal/report", "/portal/feed", "/portal/feed/events", "/portal/receipts"} {
		if op.get(path) != http.StatusForbidden {
			t.Errorf("operator GET %s: %d", path, op.status)
		}
	}
	if op.get("/portal/directory") != 200 {
		t.Fatalf("directory: %d", op.status)
	}
	mustContain(t, "directory", op.body, "duty@le-alpha.example", "le-bravo")
	if anon := newBrowser(t, h); anon.get("/portal/directory") != 200 || anon.url != "/portal/login" {
		t.Fatalf("directory without signing in: %d at %s", anon.status, anon.url)
	}
}

// Removing a person (geneva admin portal-user remove) ends their session
// at its next request, without waiting for it to expire.
func TestRemovedAccountIsSignedOut(t *testing.T) {
	h := devHub(t)
	b := signIn(t, h, "isp-two-admin", 0)
	if b.get("/portal/receipts"); b.url != "/portal/receipts" {
		t.Fatalf("signed in, GET receipts ended at %s", b.url)
	}
	op := h.Member(t, wire.OperatorName)
	req, _ := json.Marshal(hub.PortalUserRequest{Action: "remove", User: "isp-two-admin"})
	msg, err := op.NC.Request(hub.SubjectPortalService, req, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var reply hub.PortalUserReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil || reply.Error != "" {
		t.Fatalf("remove: %v %q", err, reply.Error)
	}
	if b.get("/portal/receipts"); b.url != "/portal/login" {
		t.Fatalf("a removed account still opens %s", b.url)
	}
}

var createdRE = regexp.MustCompile(`<dt>Initial password</dt><dd><code>([^<]+)</code></dd>\s*<dt>TOTP secret</dt><dd><code>([^<]+)</code>`)

// A member admin invites and removes its own people, and no one else's;
// it cannot make an operator.
func TestMemberAdminManagesOnlyItsOwnPeople(t *testing.T) {
	h := devHub(t)
	admin := signIn(t, h, "bank-one-admin", 0)
	admin.get("/portal/people")
	if admin.post("/portal/people", url.Values{"name": {"carol"}, "role": {"reporter"}}) != 200 {
		t.Fatalf("invite: %d:\n%s", admin.status, admin.body)
	}
	m := createdRE.FindStringSubmatch(admin.body)
	if m == nil {
		t.Fatalf("no initial password shown:\n%s", admin.body)
	}
	carol := signInAs(t, h, account{user: "carol", password: m[1], totp: m[2]}, 0)
	mustContain(t, "carol's report page", carol.body, "carol · bank-one · reporter")
	for _, path := range []string{"/portal/feed", "/portal/people"} {
		if carol.get(path) != http.StatusForbidden {
			t.Errorf("a reporter GET %s: %d", path, carol.status)
		}
	}

	admin.get("/portal/people")
	if admin.post("/portal/people", url.Values{"name": {"mallory"}, "role": {"operator"}}) != http.StatusUnprocessableEntity {
		t.Errorf("a member admin made an operator: %d", admin.status)
	}
	if admin.post("/portal/people/remove", url.Values{"name": {"le-alpha-admin"}}) != http.StatusNotFound {
		t.Errorf("bank-one's admin removing le-alpha's: %d", admin.status)
	}
	signIn(t, h, "le-alpha-admin", 0) // still there

	if admin.post("/portal/people/remove", url.Values{"name": {"carol"}}) != 200 {
		t.Fatalf("remove carol: %d:\n%s", admin.status, admin.body)
	}
	if carol.get("/portal/receipts"); carol.url != "/portal/login" {
		t.Fatalf("a removed reporter still opens %s", carol.url)
	}
}
