package portal_test

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/genevahub/geneva/hub/hubtest"
)

// oidcSetup registers idp as bank-one's provider (by the operator, naming
// the person by email) and has bank-one's admin link its own account to
// alice@bank-one.example there.
func oidcSetup(t *testing.T, h *hubtest.Hub, idp *testIdP) {
	t.Helper()
	op := signIn(t, h, "operator", 0)
	op.get("/portal/idp")
	if op.post("/portal/idp", url.Values{"member": {"bank-one"}, "issuer": {idp.URL()}, "client_id": {idp.clientID},
		"client_secret": {idp.secret}, "claim": {"email"}, "require_mfa": {"yes"}}) != 200 {
		t.Fatalf("register the provider: %d:\n%s", op.status, op.body)
	}
	mustContain(t, "providers page", op.body, idp.URL())
	if strings.Contains(op.body, idp.secret) {
		t.Fatal("the providers page shows the client secret")
	}
	admin := signIn(t, h, "bank-one-admin", 0)
	admin.get("/portal/people")
	if admin.post("/portal/people/link", url.Values{"name": {"bank-one-admin"}, "identity": {"alice@bank-one.example"}}) != 200 {
		t.Fatalf("link: %d:\n%s", admin.status, admin.body)
	}
	mustContain(t, "people page", admin.body, "signs in as <code>alice@bank-one.example</code>")
	idp.set(func(p *testIdP) {
		p.Person = map[string]any{"sub": "u-4711", "email": "alice@bank-one.example", "email_verified": true,
			"amr": []string{"pwd", "otp"}}
	})
}

// oidcSignIn follows the whole flow in one browser (the client follows the
// redirects to the provider and back) and returns it.
func oidcSignIn(t *testing.T, h *hubtest.Hub, member string) *browser {
	t.Helper()
	b := newBrowser(t, h)
	b.get("/portal/login")
	b.get("/portal/login/oidc?member=" + member)
	return b
}

// A member's people sign in with the member's own OpenID provider, mapped
// to their portal accounts by the member admin's links.
func TestOIDCSignIn(t *testing.T) {
	h := devHub(t)
	idp := newTestIdP(t)
	oidcSetup(t, h, idp)

	b := newBrowser(t, h)
	b.get("/portal/login")
	mustContain(t, "sign-in page", b.body, `href="/portal/login/oidc?member=bank-one"`)
	b.get("/portal/login/oidc?member=bank-one")
	if b.status != 200 || b.url != "/portal/login/oidc/callback" {
		t.Fatalf("callback: %d at %s:\n%s", b.status, b.url, b.body)
	}
	mustContain(t, "callback page", b.body, `http-equiv="refresh" content="0;url=/portal/"`)
	if b.get("/portal/report"); b.url != "/portal/report" {
		t.Fatalf("after the provider's sign-in: at %s", b.url)
	}
	mustContain(t, "report page", b.body, "bank-one-admin · bank-one · member-admin")
}

// The ways in that must stay shut: every one ends on the sign-in page with
// its reason, and no session.
func TestOIDCSignInRefusals(t *testing.T) {
	h := devHub(t)
	idp := newTestIdP(t)
	oidcSetup(t, h, idp)
	refused := func(b *browser, why string) {
		t.Helper()
		mustContain(t, "refusal", b.body, "Sign-in with your identity provider failed: "+why)
		if b.get("/portal/report"); b.url != "/portal/login" {
			t.Fatalf("a refused sign-in opened %s", b.url)
		}
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)

	t.Run("a token signed with another key", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.SignWith = other })
		defer idp.set(func(p *testIdP) { p.SignWith = nil })
		refused(oidcSignIn(t, h, "bank-one"), "its ID token is not valid")
	})
	t.Run("a token for another client", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.Audience = "someone-else" })
		defer idp.set(func(p *testIdP) { p.Audience = "" })
		refused(oidcSignIn(t, h, "bank-one"), "its ID token is not valid")
	})
	t.Run("a token from another issuer", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.Issuer = "https://evil.example" })
		defer idp.set(func(p *testIdP) { p.Issuer = "" })
		refused(oidcSignIn(t, h, "bank-one"), "its ID token is not valid")
	})
	t.Run("a token without this sign-in's nonce", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.NoNonce = true })
		defer idp.set(func(p *testIdP) { p.NoNonce = false })
		refused(oidcSignIn(t, h, "bank-one"), "its ID token was not issued for this sign-in")
	})
	t.Run("an email the provider has not verified", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.Person["email_verified"] = false })
		defer idp.set(func(p *testIdP) { p.Person["email_verified"] = true })
		refused(oidcSignIn(t, h, "bank-one"), "the provider has not verified that email address")
	})
	t.Run("a password alone at the provider", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.Person["amr"] = []string{"pwd"} })
		defer idp.set(func(p *testIdP) { p.Person["amr"] = []string{"pwd", "otp"} })
		refused(oidcSignIn(t, h, "bank-one"), "the provider did not say a second factor was used")
	})
	t.Run("a person no one linked", func(t *testing.T) {
		idp.set(func(p *testIdP) { p.Person["email"] = "bob@bank-one.example" })
		defer idp.set(func(p *testIdP) { p.Person["email"] = "alice@bank-one.example" })
		refused(oidcSignIn(t, h, "bank-one"), `bob@bank-one.example is not linked to a person of bank-one`)
	})
	t.Run("another member's person", func(t *testing.T) {
		// le-alpha links its admin to an identity; bank-one's provider
		// asserting that identity still reaches no one of le-alpha.
		le := signIn(t, h, "le-alpha-admin", 0)
		le.get("/portal/people")
		le.post("/portal/people/link", url.Values{"name": {"le-alpha-admin"}, "identity": {"duty@le-alpha.example"}})
		if le.post("/portal/people/link", url.Values{"name": {"bank-one-admin"}, "identity": {"x@le-alpha.example"}}) != http.StatusNotFound {
			t.Fatalf("le-alpha's admin linked bank-one's admin: %d", le.status)
		}
		idp.set(func(p *testIdP) { p.Person["email"] = "duty@le-alpha.example" })
		defer idp.set(func(p *testIdP) { p.Person["email"] = "alice@bank-one.example" })
		refused(oidcSignIn(t, h, "bank-one"), `duty@le-alpha.example is not linked to a person of bank-one`)
	})
	t.Run("an answer meant for another browser (login CSRF)", func(t *testing.T) {
		// The attacker starts a sign-in, stops before the callback and
		// sends the victim the callback URL with its code and state.
		attacker := newBrowser(t, h)
		attacker.c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if req.URL.Path == "/portal/login/oidc/callback" {
				return http.ErrUseLastResponse
			}
			return nil
		}
		attacker.get("/portal/login")
		resp, err := attacker.c.Get(attacker.base + "/portal/login/oidc?member=bank-one")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		callback := resp.Header.Get("Location")
		if !strings.Contains(callback, "/portal/login/oidc/callback?") {
			t.Fatalf("the provider sent back %q", callback)
		}
		victim := newBrowser(t, h)
		victim.get("/portal/login")
		victim.get(strings.TrimPrefix(callback, victim.base))
		refused(victim, "this browser did not start it")

		// In the browser that started it, another state is refused too,
		// and spends the sign-in: the right state then comes too late.
		u, _ := url.Parse(callback)
		q := u.Query()
		q.Set("state", q.Get("state")+"x")
		attacker.c.CheckRedirect = nil
		attacker.get(u.Path + "?" + q.Encode())
		refused(attacker, "the answer does not belong to this sign-in")
		attacker.get(strings.TrimPrefix(callback, attacker.base))
		refused(attacker, "this browser did not start it")
	})
	t.Run("the member admin cannot register a provider", func(t *testing.T) {
		admin := signIn(t, h, "bank-one-admin", 1)
		if admin.get("/portal/idp") != http.StatusForbidden {
			t.Fatalf("a member admin opened the providers page: %d", admin.status)
		}
	})
}
