package portal

import (
	"errors"
	"net/http"
	"time"
)

// secure: the browser talks TLS, to the hub or to a TLS proxy in front
// of it (X-Forwarded-Proto). A forged header only makes the cookie
// Secure, which a plain-HTTP browser then drops: no gain for anyone.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.cfg.SecureCookies || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) cookieName(r *http.Request) string {
	if s.secure(r) {
		return "__Host-geneva-session" // the browser then insists on Secure, Path=/ and no Domain
	}
	return "geneva-session"
}

// current is the request's live session.
func (s *Server) current(r *http.Request) (session, bool) {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return session{}, false
	}
	return s.sessions.get(c.Value)
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, sess session) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: sess.id, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: int(sessionAbsolute / time.Second)})
}

// anonymous is the request's session, or a new one with its cookie set.
func (s *Server) anonymous(w http.ResponseWriter, r *http.Request) session {
	if sess, ok := s.current(r); ok {
		return sess
	}
	sess := s.sessions.fresh()
	s.setCookie(w, r, sess)
	return sess
}

type permission func(Role) bool

func canReport(r Role) bool { return r.canReport() }
func canRead(r Role) bool   { return r.canRead() }
func anyone(Role) bool      { return true }

// signedIn runs h only for a signed-in person whose role allows it.
func (s *Server) signedIn(allowed permission, h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.current(r)
		if !ok || !sess.signedIn() {
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
			return
		}
		// The account as stored now: a removed person, or one whose member
		// was suspended, is signed out at their next request.
		u, _, err := s.cfg.Users.Get(r.Context(), sess.user)
		if err != nil || u.Member != sess.member || u.Role != sess.role || sess.created.Before(u.SignedOutBefore) ||
			s.suspended(sess.member) {
			s.sessions.drop(sess.id)
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
			return
		}
		if !allowed(sess.role) {
			s.render(w, sess, http.StatusForbidden, "error.html", "Not allowed",
				"Your role ("+string(sess.role)+") may not use this page.")
			return
		}
		h(w, r, sess)
	}
}

func (s *Server) suspended(member string) bool {
	if member == "" {
		return false
	}
	m, ok := s.cfg.Backend.MoU().Member(member)
	return !ok || m.Suspended
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.current(r)
	switch {
	case !ok || !sess.signedIn():
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
	case sess.role.canReport():
		http.Redirect(w, r, Prefix+"report", http.StatusSeeOther)
	case canReview(sess.role):
		http.Redirect(w, r, Prefix+"review", http.StatusSeeOther)
	default:
		http.Redirect(w, r, Prefix+"directory", http.StatusSeeOther)
	}
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, s.anonymous(w, r), http.StatusOK, "login.html", "Sign in", s.loginData(r))
}

const signInFailed = "Wrong user name or password."

// login checks the password; the TOTP code comes next. The session id
// changes here, and again once the code is checked.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.current(r) // checkPost made sure there is one
	name, pw := r.PostForm.Get("user"), r.PostForm.Get("password")
	if s.throttle.locked(name) {
		s.render(w, sess, http.StatusTooManyRequests, "login.html", "Sign in", s.loginData(r), "Too many failed attempts: wait five minutes.")
		return
	}
	u, _, err := s.cfg.Users.Get(r.Context(), name)
	ok := false
	switch {
	case errors.Is(err, ErrNoUser):
		hashPassword(pw) // the same time as a wrong password: no user enumeration by timing
	case err != nil:
		s.cfg.Log.Error("portal: read user", "user", name, "err", err)
		s.render(w, sess, http.StatusServiceUnavailable, "login.html", "Sign in", s.loginData(r), "The hub could not check your account; try again.")
		return
	default:
		ok, err = checkPassword(u.Password, pw)
		if err != nil {
			s.cfg.Log.Error("portal: stored password", "user", name, "err", err)
		}
	}
	if !ok {
		s.throttle.fail(name)
		s.render(w, sess, http.StatusUnauthorized, "login.html", "Sign in", s.loginData(r), signInFailed)
		return
	}
	if sess, ok = s.sessions.rotate(sess.id, func(x *session) { x.pending, x.user = u.Name, "" }); !ok {
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		return
	}
	s.setCookie(w, r, sess)
	http.Redirect(w, r, Prefix+"login/totp", http.StatusSeeOther)
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.current(r)
	if !ok || sess.pending == "" {
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		return
	}
	s.render(w, sess, http.StatusOK, "totp.html", "Second factor", nil)
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.current(r)
	if sess.pending == "" {
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		return
	}
	name := sess.pending
	fail := func(msg string) {
		s.throttle.fail(name)
		s.render(w, sess, http.StatusUnauthorized, "totp.html", "Second factor", nil, msg)
	}
	if s.throttle.locked(name) {
		s.render(w, sess, http.StatusTooManyRequests, "totp.html", "Second factor", nil, "Too many failed attempts: wait five minutes.")
		return
	}
	u, rev, err := s.cfg.Users.Get(r.Context(), name)
	if err != nil {
		fail("Your account could not be read; sign in again.")
		return
	}
	step, ok := checkTOTP(u.TOTP, r.PostForm.Get("code"), time.Now())
	if !ok {
		fail("Wrong code: enter the six digits your authenticator shows now.")
		return
	}
	if err := s.cfg.Users.useStep(r.Context(), u, rev, step); err != nil {
		fail("That code was used already: wait for the next one.")
		return
	}
	s.throttle.ok(name)
	sess, ok = s.sessions.rotate(sess.id, func(x *session) { x.pending, x.user, x.member, x.role = "", u.Name, u.Member, u.Role })
	if !ok {
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		return
	}
	s.setCookie(w, r, sess)
	s.cfg.Log.Info("portal: signed in", "user", u.Name, "member", u.Member, "role", u.Role)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// logout ends this session, or with everywhere=yes every session of the
// account, on every hub.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := s.current(r); ok {
		if sess.signedIn() && r.PostForm.Get("everywhere") == "yes" {
			if err := s.cfg.Users.SignOutEverywhere(r.Context(), sess.user); err != nil {
				s.cfg.Log.Error("portal: sign out everywhere", "user", sess.user, "err", err)
				s.render(w, sess, http.StatusServiceUnavailable, "error.html", "Not signed out everywhere",
					"The hub could not record it; try again.")
				return
			}
			s.cfg.Log.Info("portal: signed out everywhere", "user", sess.user)
		}
		s.sessions.drop(sess.id)
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}
