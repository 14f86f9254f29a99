package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// The portal in a real browser (Debian's Chromium, headless, 360 px
// wide): bank-one signs in with password and TOTP, reports an incident to
// the law-enforcement members by name, sees the policy's explanation and
// the receipt; le-alpha's live feed shows the card; a classified report
// is refused with its reason; the operator opens the review queue. Every
// page is checked with axe-core (WCAG 2.1 A and AA) and at 360 px, and its
// screenshot goes to $GENEVA_ARTEFACTS/portal (default: the OS temp dir;
// the test logs the folder).
func TestPortalInChromium(t *testing.T) {
	chromium := stixtest.Peer(t, "GENEVA_CHROMIUM")
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("GENEVA_CHROMIUM: %v", err)
	}
	artefacts := filepath.Join(os.Getenv("GENEVA_ARTEFACTS"), "portal")
	if os.Getenv("GENEVA_ARTEFACTS") == "" {
		artefacts = filepath.Join(os.TempDir(), "geneva-artefacts", "portal")
	}
	if err := os.RemoveAll(artefacts); err != nil { // this run's screenshots only
		t.Fatal(err)
	}
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots go to %s", artefacts)
	h := devHub(t)
	base := "http://" + h.HTTPAddr()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox)...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	person := func() context.Context { // its own cookies, as another person's browser
		c, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(c, chromedp.EmulateViewport(360, 800)); err != nil {
			t.Fatalf("viewport: %v", err)
		}
		return c
	}
	shot := func(c context.Context, name string) {
		t.Helper()
		img, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(artefacts, name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(c context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(c, 30*time.Second) // a clear failure, not the test's deadline
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			loc, _ := chromedp.Run(c, chromedp.Location())
			text, _ := chromedp.Run(c, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("%s (at %s): %v\n%s", what, loc, err, text)
		}
	}
	// Every page: nothing wider than the screen, every field labelled, no
	// WCAG 2.1 A/AA violation axe-core finds; then its screenshot.
	axe := axeSource(t)
	n := 0
	look := func(c context.Context, page string) {
		t.Helper()
		fits, err := chromedp.Run(c, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%s is wider than 360 px (%v)", page, err)
		}
		unlabelled, err := chromedp.Run(c, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
			'input:not([type=hidden]), select, textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => e.name)`))
		if err != nil || len(unlabelled) > 0 {
			t.Errorf("%s has fields without a label: %v (%v)", page, unlabelled, err)
		}
		violations, err := axeCheck(c, axe)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		for _, v := range violations {
			t.Errorf("%s: accessibility: %s", page, v)
		}
		n++
		shot(c, fmt.Sprintf("%02d-%s", n, page))
	}
	// The check finds what it is meant to find: an unlabelled field and
	// grey-on-white text fail it.
	probe := person()
	do(probe, "probe page", chromedp.Navigate("about:blank"))
	if _, err := chromedp.Run(probe, chromedp.Evaluate[bool](`document.documentElement.lang = "en"; document.title = "probe";
		document.body.innerHTML = '<main><h1>Probe</h1><input name="q"><p style="color:#bbb">faint</p></main>'; true`)); err != nil {
		t.Fatal(err)
	}
	if v, err := axeCheck(probe, axe); err != nil || !strings.Contains(strings.Join(v, "\n"), "label") ||
		!strings.Contains(strings.Join(v, "\n"), "color-contrast") {
		t.Fatalf("axe-core missed the probe's violations: %v %v", v, err)
	}

	signIn := func(c context.Context, user string) {
		t.Helper()
		a := readAccount(t, h, user)
		do(c, "sign-in page", chromedp.Navigate(base+"/portal/login"), chromedp.WaitVisible(chromedp.ID("user")))
		look(c, "sign-in-"+user)
		do(c, "password", chromedp.SendKeys(chromedp.ID("user"), a.user), chromedp.SendKeys(chromedp.ID("password"), a.password),
			chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.ID("code")))
		look(c, "totp-"+user)
		do(c, "TOTP code", chromedp.SendKeys(chromedp.ID("code"), totpCode(t, a, 0)),
			chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("nav")))
	}

	le := person()
	signIn(le, "le-alpha-admin")
	do(le, "feed", chromedp.Navigate(base+"/portal/feed"), chromedp.WaitVisible(chromedp.ID("feed-status")))
	look(le, "feed-le-alpha-empty")

	bank := person()
	signIn(bank, "bank-one-admin")
	do(bank, "report form", chromedp.Navigate(base+"/portal/report"), chromedp.WaitVisible(chromedp.ID("title")))
	do(bank, "fill in the report",
		chromedp.SendKeys(chromedp.ID("title"), "Phishing wave against customers"),
		chromedp.SendKeys(chromedp.ID("what"), "Mails with a fake login page since this morning."),
		chromedp.SendKeys(chromedp.ID("impact"), "Two customer accounts taken over"),
		chromedp.SendKeys(chromedp.ID("indicators"), "203.0.113.90\nlogin-bank-one.example"),
		chromedp.Click(chromedp.ID("tlp-amber")), chromedp.Click(chromedp.ID("aud-members")),
		chromedp.Click(chromedp.ID("to-le-alpha")), chromedp.Click(chromedp.ID("to-le-bravo")))
	// An attachment: the page hashes it and sends the hash and name only.
	secret := "customer list " + randomHex(8)
	file := filepath.Join(t.TempDir(), "phishing-mail.eml")
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(secret))
	want := hex.EncodeToString(sum[:]) + "  phishing-mail.eml"
	do(bank, "attach", chromedp.SetUploadFiles(chromedp.ID("attach-files"), []string{file}))
	hubtest.Eventually(t, 10*time.Second, func() error {
		if v, err := chromedp.Run(bank, chromedp.Value(chromedp.ID("attachments"))); err != nil || v != want {
			return fmt.Errorf("attachments field %q (%v), want %q", v, err, want)
		}
		return nil
	})
	look(bank, "report-form")
	do(bank, "preview", chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("pre.explain")))
	if bundle, _ := chromedp.Run(bank, chromedp.Evaluate[string](`document.querySelector("details pre").textContent`)); !strings.Contains(bundle, hex.EncodeToString(sum[:])) ||
		!strings.Contains(bundle, `"phishing-mail.eml"`) || strings.Contains(bundle, secret) {
		t.Fatalf("the previewed bundle should name the attachment by hash, without its content:\n%s", bundle)
	}
	explanation, err := chromedp.Run(bank, chromedp.Text(chromedp.CSS("pre.explain")))
	if err != nil || !strings.Contains(explanation, "verdict: ACCEPT") || !strings.Contains(explanation, "TLP:AMBER to le-alpha") {
		t.Fatalf("preview: %v\n%s", err, explanation)
	}
	look(bank, "preview")
	do(bank, "send", chromedp.Click(chromedp.CSS(`form[action="/portal/report/send"] button`)), chromedp.WaitVisible(chromedp.Search(`//dt[text()="Submission"]`)))
	verdict, _ := chromedp.Run(bank, chromedp.Text(chromedp.CSS("p.verdict")))
	if !strings.Contains(verdict, "accept") {
		t.Fatalf("receipt verdict: %q", verdict)
	}
	look(bank, "receipt")

	waitCtx, stop := context.WithTimeout(le, 10*time.Second)
	defer stop()
	if err := chromedp.Do(waitCtx, chromedp.WaitVisible(chromedp.Search(`//li[contains(@class,"card")][contains(., "203.0.113.90")]`))); err != nil {
		t.Fatalf("le-alpha's feed did not show the report within 10s: %v", err)
	}
	look(le, "feed-le-alpha")

	do(bank, "classified report", chromedp.Navigate(base+"/portal/report"), chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "SECRET//REL TO USA, GBR - staging host"),
		chromedp.SendKeys(chromedp.ID("what"), "Found on a staging host."),
		chromedp.Click(chromedp.ID("tlp-green")), chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".errors")))
	refusal, _ := chromedp.Run(bank, chromedp.Text(chromedp.CSS(".errors")))
	if !strings.Contains(refusal, "would refuse") || !strings.Contains(refusal, "classified.banner") {
		t.Fatalf("classified report: %q", refusal)
	}
	look(bank, "classified-refused")
	do(bank, "people", chromedp.Navigate(base+"/portal/people"), chromedp.WaitVisible(chromedp.ID("name")))
	look(bank, "people")
	do(bank, "directory", chromedp.Navigate(base+"/portal/directory"), chromedp.WaitVisible(chromedp.CSS(".card")))
	look(bank, "directory")
	do(bank, "receipts", chromedp.Navigate(base+"/portal/receipts"), chromedp.WaitVisible(chromedp.CSS(".card")))
	look(bank, "receipts")
	do(bank, "on duty", chromedp.Navigate(base+"/portal/on-duty"), chromedp.WaitVisible(chromedp.CSS(".card")))
	look(bank, "on-duty")
	do(le, "requests", chromedp.Navigate(base+"/portal/requests"), chromedp.WaitVisible(chromedp.ID("summary")))
	look(le, "requests")
	do(le, "send a request", chromedp.SetValue(chromedp.ID("kind"), "assistance"),
		chromedp.SendKeys(chromedp.ID("summary"), "Who else saw 198.51.100.23?"),
		chromedp.SendKeys(chromedp.ID("observables"), "198.51.100.23"), chromedp.SendKeys(chromedp.ID("legal_basis"), "MoU art. 4"),
		chromedp.SendKeys(chromedp.ID("reference"), "NCU-2026-0413"), chromedp.SendKeys(chromedp.ID("unit"), "Alpha Cybercrime Unit"),
		chromedp.SendKeys(chromedp.ID("jurisdiction"), "NO"), chromedp.Click(chromedp.ID("to-isp-two")),
		chromedp.Click(chromedp.CSS(`form[action="/portal/requests"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//dt[text()="Submission"]`)))
	if verdict, _ := chromedp.Run(le, chromedp.Text(chromedp.CSS("p.verdict"))); !strings.Contains(verdict, "accept") {
		t.Fatalf("the request's receipt: %q", verdict)
	}
	look(le, "request-receipt")
	hubtest.Eventually(t, 10*time.Second, func() error { // the tracker takes the request in
		do(le, "requests", chromedp.Navigate(base+"/portal/requests"), chromedp.WaitVisible(chromedp.ID("summary")))
		if page, _ := chromedp.Run(le, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(page, "Who else saw") {
			return errors.New("the request is not listed yet")
		}
		return nil
	})
	do(le, "the request's page", chromedp.Click(chromedp.Search(`//a[contains(., "Who else saw")]`)),
		chromedp.WaitVisible(chromedp.ID("deadline_hours")))
	look(le, "request")

	id, _ := heldSubmission(t, h)
	op := person()
	signIn(op, "operator")
	do(op, "review queue", chromedp.Navigate(base+"/portal/review"), chromedp.WaitVisible(chromedp.Search(`//a[text()="`+id+`"]`)))
	look(op, "review-queue")
	do(op, "held bundle", chromedp.Click(chromedp.Search(`//a[text()="`+id+`"]`)), chromedp.WaitVisible(chromedp.ID("shown")))
	look(op, "review-show")

	// The operator registers bank-one's identity provider; bank-one's admin
	// links its account; a new browser signs in there. The provider's
	// redirect back is cross-site: the session cookie (SameSite=Strict)
	// must still be there on the page after.
	idp := newTestIdP(t)
	idp.set(func(p *testIdP) {
		p.Person = map[string]any{"sub": "u-4711", "email": "alice@bank-one.example", "email_verified": true, "amr": []string{"pwd", "hwk"}}
	})
	do(op, "identity providers", chromedp.Navigate(base+"/portal/idp"), chromedp.WaitVisible(chromedp.ID("issuer")),
		chromedp.SetValue(chromedp.ID("member"), "bank-one"), chromedp.SendKeys(chromedp.ID("issuer"), idp.URL()),
		chromedp.SendKeys(chromedp.ID("client_id"), idp.clientID), chromedp.SendKeys(chromedp.ID("client_secret"), idp.secret),
		chromedp.SetValue(chromedp.ID("claim"), "email"), chromedp.Click(chromedp.CSS(`form[action="/portal/idp"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//dd[text()="`+idp.URL()+`"]`)))
	look(op, "identity-providers")
	do(bank, "link", chromedp.Navigate(base+"/portal/people"), chromedp.WaitVisible(chromedp.ID("identity-bank-one-admin")),
		chromedp.SendKeys(chromedp.ID("identity-bank-one-admin"), "alice@bank-one.example"),
		chromedp.Click(chromedp.CSS(`button[aria-label="Link bank-one-admin"]`)),
		chromedp.WaitVisible(chromedp.Search(`//code[text()="alice@bank-one.example"]`)))
	look(bank, "people-linked")
	sso := person()
	do(sso, "sign in with the provider", chromedp.Navigate(base+"/portal/login"),
		chromedp.Click(chromedp.CSS(`a[href="/portal/login/oidc?member=bank-one"]`)),
		chromedp.WaitVisible(chromedp.ID("title"))) // the report form: signed in
	if who, _ := chromedp.Run(sso, chromedp.Text(chromedp.CSS(".who span"))); !strings.Contains(who, "bank-one-admin") {
		t.Fatalf("signed in with the provider as %q", who)
	}
	look(sso, "signed-in-with-provider")

	// CSRF: a page on another origin (same site: 127.0.0.1, another port)
	// posts bank-one's admin a form that would create an account, with a
	// real CSRF token of the attacker's own session. Refused.
	attacker := newBrowser(t, h)
	attacker.get("/portal/login")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>prize</title><form method="post" action="%s/portal/people">
<input type="hidden" name="csrf" value="%s"><input type="hidden" name="name" value="mallory">
<input type="hidden" name="role" value="member-admin"><button id="go">Claim your prize</button></form>`, base, attacker.csrf())
	}))
	defer evil.Close()
	do(bank, "cross-origin form", chromedp.Navigate(evil.URL), chromedp.Click(chromedp.ID("go")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "Forbidden")]`)))
	do(bank, "people", chromedp.Navigate(base+"/portal/people"), chromedp.WaitVisible(chromedp.ID("name")))
	if people, _ := chromedp.Run(bank, chromedp.Text(chromedp.CSS("main"))); strings.Contains(people, "mallory") {
		t.Fatal("a cross-origin form created an account")
	}

	// Session fixation: the attacker plants its own session id in a
	// victim's browser before the victim signs in. After sign-in that id
	// opens nothing.
	planted := attacker.cookie("geneva-session")
	victim := person()
	do(victim, "plant", chromedp.Navigate(base+"/portal/static/portal.css"))
	if _, err := chromedp.Run(victim, chromedp.Evaluate[bool](`document.cookie = "geneva-session=`+planted+`; path=/"; true`)); err != nil {
		t.Fatal(err)
	}
	signIn(victim, "le-bravo-admin")
	if attacker.get("/portal/feed"); attacker.url != "/portal/login" {
		t.Fatalf("the planted session id opens %s after the victim signed in", attacker.url)
	}
	t.Logf("%d pages checked; screenshots in %s", n, artefacts)
}
