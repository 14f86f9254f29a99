package portal

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/oauth2"
)

// Sign-in with a member's own identity provider (OpenID Connect,
// authorization code flow with PKCE). The hub operator registers a
// member's provider (the hub fetches its URLs, so no member chooses them);
// the member's admin links each person to their identity there (the value
// of the provider's Claim). A provider signs in only its own member's
// linked people, never the operator; it answers for the second factor.

// IdP is a member's OpenID provider, stored under "oidc.<member>".
type IdP struct {
	Member       string `json:"member"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// Claim names the person: "sub", "email" (only when email_verified)
	// or "preferred_username".
	Claim string `json:"claim"`
	// RequireMFA refuses an ID token whose amr (RFC 8176) names no second
	// factor: the portal's own sign-in always asks for one.
	RequireMFA bool `json:"require_mfa,omitempty"`
}

// mfaMethods are the amr values (RFC 8176) that mean more than a password.
var mfaMethods = []string{"mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "retina", "vbm", "pop"}

var idpClaims = []string{"sub", "email", "preferred_username"}

const (
	oidcCookie  = "geneva-oidc"
	oidcPath    = Prefix + "login/oidc"
	oidcWait    = 10 * time.Minute // from leaving for the provider to coming back
	oidcTimeout = 15 * time.Second // each call to the provider
	maxOIDC     = 10_000
)

func idpKey(member string) string { return "oidc." + member }

// checkIssuer: HTTPS, or plain HTTP to this machine only (a provider
// beside the hub, or a test's).
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return fmt.Errorf("issuer %q: want an https:// URL", issuer)
	}
	if u.Scheme == "https" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil
	}
	return fmt.Errorf("issuer %q: want an https:// URL (plain http only to localhost)", issuer)
}

// SetIdP registers (or with an empty Issuer removes) member's provider.
func (u *Users) SetIdP(ctx context.Context, p IdP) error {
	if p.Issuer == "" {
		err := u.kv.Delete(ctx, idpKey(p.Member))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		return err
	}
	if err := checkIssuer(p.Issuer); err != nil {
		return err
	}
	if p.ClientID == "" {
		return errors.New("client ID: required")
	}
	if !slices.Contains(idpClaims, p.Claim) {
		return fmt.Errorf("claim %q: want one of %v", p.Claim, idpClaims)
	}
	data, _ := json.Marshal(p)
	_, err := u.kv.Put(ctx, idpKey(p.Member), data)
	return err
}

// IdP is member's provider; ok is false when it has none.
func (u *Users) IdP(ctx context.Context, member string) (IdP, bool, error) {
	e, err := u.kv.Get(ctx, idpKey(member))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return IdP{}, false, nil
	}
	if err != nil {
		return IdP{}, false, err
	}
	var p IdP
	if err := json.Unmarshal(e.Value(), &p); err != nil {
		return IdP{}, false, fmt.Errorf("oidc.%s: stored record: %w", member, err)
	}
	return p, true, nil
}

// LinkIdentity links account name to identity at its member's provider
// ("" unlinks). An identity names one person of a member.
func (u *Users) LinkIdentity(ctx context.Context, name, identity string) error {
	rec, rev, err := u.Get(ctx, name)
	if err != nil {
		return err
	}
	if identity != "" {
		if other, err := u.ByIdentity(ctx, rec.Member, identity); err == nil && other.Name != name {
			return fmt.Errorf("%q is linked to %s already", identity, other.Name)
		}
	}
	rec.Identity = identity
	data, _ := json.Marshal(rec)
	_, err = u.kv.Update(ctx, userKey(name), data, rev)
	return err
}

// ByIdentity is member's person linked to identity.
func (u *Users) ByIdentity(ctx context.Context, member, identity string) (User, error) {
	names, err := userKeys(ctx, u.kv)
	if err != nil {
		return User{}, err
	}
	for _, n := range names {
		rec, _, err := u.Get(ctx, n)
		if err == nil && rec.Member == member && rec.Member != "" && identity != "" &&
			subtle.ConstantTimeCompare([]byte(rec.Identity), []byte(identity)) == 1 {
			return rec, nil
		}
	}
	return User{}, ErrNoUser
}

// oidcLogin is a sign-in gone to the provider, waiting for its return.
type oidcLogin struct {
	member, state, nonce, verifier, redirect string
	started                                  time.Time
}

// oidcLogins are keyed by the random value of the geneva-oidc cookie, a
// SameSite=Lax cookie: the provider's redirect back is a cross-site
// navigation, which a Strict cookie would not come with.
type oidcLogins struct {
	mu  sync.Mutex
	all map[string]oidcLogin
}

func (l *oidcLogins) put(key string, v oidcLogin) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.all == nil || len(l.all) >= maxOIDC {
		l.all = map[string]oidcLogin{}
	}
	l.all[key] = v
}

// take returns and forgets a login: each works once.
func (l *oidcLogins) take(key string) (oidcLogin, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.all[key]
	delete(l.all, key)
	return v, ok && time.Since(v.started) < oidcWait
}

// providers caches each issuer's discovery document and keys for a while:
// anyone may start a sign-in, and the hub should not fetch the provider's
// documents for every one.
type providers struct {
	mu  sync.Mutex
	all map[string]cachedProvider // by issuer
}

type cachedProvider struct {
	p       *oidc.Provider
	fetched time.Time
}

const providerFresh = 10 * time.Minute

func (c *providers) get(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	cp, ok := c.all[issuer]
	c.mu.Unlock()
	if ok && time.Since(cp.fetched) < providerFresh {
		return cp.p, nil
	}
	// go-oidc keeps ctx's HTTP client, not its deadline: the cached
	// provider outlives this request.
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all == nil || len(c.all) > 1000 {
		c.all = map[string]cachedProvider{}
	}
	c.all[issuer] = cachedProvider{p: p, fetched: time.Now()}
	return p, nil
}

func (s *Server) oauthConfig(ctx context.Context, p IdP, redirect string) (*oidc.Provider, *oauth2.Config, error) {
	provider, err := s.providers.get(ctx, p.Issuer)
	if err != nil {
		return nil, nil, err
	}
	return provider, &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, nil
}

func (s *Server) providerCtx(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), oidcTimeout)
	return oidc.ClientContext(ctx, &http.Client{Timeout: oidcTimeout}), cancel
}

// oidcStart sends the browser to member's provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	sess := s.anonymous(w, r)
	member := r.URL.Query().Get("member")
	p, ok, err := s.cfg.Users.IdP(r.Context(), member)
	if err != nil || !ok {
		s.render(w, sess, http.StatusNotFound, "login.html", "Sign in", s.loginData(r), "No identity provider is registered for member "+member+".")
		return
	}
	ctx, cancel := s.providerCtx(r)
	defer cancel()
	scheme := "http://"
	if s.secure(r) {
		scheme = "https://"
	}
	login := oidcLogin{member: member, state: randomToken(), nonce: randomToken(), verifier: oauth2.GenerateVerifier(),
		redirect: scheme + r.Host + oidcPath + "/callback", started: time.Now()}
	_, cfg, err := s.oauthConfig(ctx, p, login.redirect)
	if err != nil {
		s.cfg.Log.Warn("portal: oidc discovery", "member", member, "issuer", p.Issuer, "err", err)
		s.render(w, sess, http.StatusBadGateway, "login.html", "Sign in", s.loginData(r), "Your identity provider could not be reached; try again or sign in with your password.")
		return
	}
	key := randomToken()
	s.oidc.put(key, login)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: key, Path: oidcPath, HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(oidcWait / time.Second)})
	http.Redirect(w, r, cfg.AuthCodeURL(login.state, oidc.Nonce(login.nonce), oauth2.S256ChallengeOption(login.verifier)), http.StatusSeeOther)
}

// oidcCallback checks what the provider sent back and signs its person in.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	sess := s.anonymous(w, r)
	fail := func(status int, why string, args ...any) {
		s.cfg.Log.Warn("portal: oidc sign-in refused", append([]any{"why", why}, args...)...)
		s.render(w, sess, status, "login.html", "Sign in", s.loginData(r), "Sign-in with your identity provider failed: "+why+".")
	}
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: oidcPath, MaxAge: -1, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	if err != nil {
		fail(http.StatusBadRequest, "this browser did not start it (or took longer than ten minutes)")
		return
	}
	login, ok := s.oidc.take(c.Value)
	q := r.URL.Query()
	switch {
	case !ok:
		fail(http.StatusBadRequest, "this browser did not start it (or took longer than ten minutes)")
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(login.state)) != 1:
		fail(http.StatusBadRequest, "the answer does not belong to this sign-in", "member", login.member)
		return
	case q.Get("error") != "":
		fail(http.StatusUnauthorized, "the provider said "+q.Get("error"), "member", login.member)
		return
	}
	p, ok, err := s.cfg.Users.IdP(r.Context(), login.member)
	if err != nil || !ok {
		fail(http.StatusUnauthorized, "your member's identity provider is no longer registered")
		return
	}
	ctx, cancel := s.providerCtx(r)
	defer cancel()
	provider, cfg, err := s.oauthConfig(ctx, p, login.redirect)
	if err != nil {
		fail(http.StatusBadGateway, "the provider could not be reached", "err", err)
		return
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(login.verifier))
	if err != nil {
		fail(http.StatusUnauthorized, "the provider refused the code", "member", login.member, "err", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(ctx, raw)
	if err != nil {
		fail(http.StatusUnauthorized, "its ID token is not valid", "member", login.member, "err", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.nonce)) != 1 {
		fail(http.StatusUnauthorized, "its ID token was not issued for this sign-in", "member", login.member)
		return
	}
	if p.RequireMFA && !usedMFA(idt) {
		fail(http.StatusUnauthorized, "the provider did not say a second factor was used (amr)", "member", login.member)
		return
	}
	identity, err := claimValue(idt, p.Claim)
	if err != nil {
		fail(http.StatusUnauthorized, err.Error(), "member", login.member)
		return
	}
	u, err := s.cfg.Users.ByIdentity(r.Context(), login.member, identity)
	if err != nil {
		fail(http.StatusForbidden, fmt.Sprintf("%s is not linked to a person of %s: ask your member admin", identity, login.member))
		return
	}
	if s.suspended(u.Member) {
		fail(http.StatusForbidden, "your member is suspended")
		return
	}
	if sess, ok = s.sessions.rotate(sess.id, func(x *session) { x.pending, x.user, x.member, x.role = "", u.Name, u.Member, u.Role }); !ok {
		fail(http.StatusServiceUnavailable, "the hub could not start your session")
		return
	}
	s.setCookie(w, r, sess)
	s.cfg.Log.Info("portal: signed in", "user", u.Name, "member", u.Member, "role", u.Role, "via", p.Issuer)
	// A page of ours moves on: the browser then sends the Strict session
	// cookie, which it withholds on a redirect from the provider's site.
	s.render(w, sess, http.StatusOK, "signedin.html", "Signed in", nil)
}

// usedMFA reports whether the ID token's amr names a second factor.
func usedMFA(idt *oidc.IDToken) bool {
	var c struct {
		AMR []string `json:"amr"`
	}
	if idt.Claims(&c) != nil {
		return false
	}
	return slices.ContainsFunc(c.AMR, func(m string) bool { return slices.Contains(mfaMethods, m) })
}

// claimValue is the ID token's claim that names the person.
func claimValue(idt *oidc.IDToken, claim string) (string, error) {
	if claim == "sub" {
		return idt.Subject, nil
	}
	var c map[string]any
	if err := idt.Claims(&c); err != nil {
		return "", errors.New("its ID token's claims are unreadable")
	}
	v, _ := c[claim].(string)
	if v == "" {
		return "", fmt.Errorf("its ID token has no %s", claim)
	}
	if claim == "email" && c["email_verified"] != true {
		return "", errors.New("the provider has not verified that email address")
	}
	return v, nil
}

// signInMembers caches the members with a provider, for the sign-in
// page, which anyone may load as often as they like.
type signInMembers struct {
	mu      sync.Mutex
	members []string
	read    time.Time
}

const signInMembersFresh = 30 * time.Second

func (c *signInMembers) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = time.Time{}
}

// loginData lists the members whose provider a person may sign in with.
func (s *Server) loginData(r *http.Request) []string {
	if s.cfg.Users == nil || s.cfg.Backend == nil {
		return nil
	}
	c := &s.signInMembers
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.read) < signInMembersFresh {
		return c.members
	}
	keys, err := s.cfg.Users.kv.ListKeysFiltered(r.Context(), "oidc.>")
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		c.members, c.read = nil, time.Now()
		return nil
	}
	if err != nil {
		return c.members
	}
	var out []string
	for k := range keys.Keys() {
		member := strings.TrimPrefix(k, "oidc.")
		if m, ok := s.cfg.Backend.MoU().Member(member); ok && !m.Suspended {
			out = append(out, member)
		}
	}
	slices.Sort(out)
	c.members, c.read = out, time.Now()
	return out
}
