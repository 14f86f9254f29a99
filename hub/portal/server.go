package portal

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Prefix is where the portal is served on the hub's HTTP listener.
const Prefix = "/portal/"

// csp allows nothing but the portal's own files: no inline script or
// style, no third-party request, no framing, forms posting only here.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the hub gives the portal.
type Config struct {
	Backend Backend
	Users   *Users
	Log     *slog.Logger
	// SecureCookies marks cookies Secure even on plain HTTP; they always
	// are on TLS or behind a proxy that sets X-Forwarded-Proto: https.
	SecureCookies bool
}

// Server is the portal's HTTP handler.
type Server struct {
	cfg           Config
	mux           *http.ServeMux
	sessions      *sessions
	pages         map[string]*template.Template
	throttle      throttle
	feeds         feedLimit
	oidc          oidcLogins
	providers     providers
	signInMembers signInMembers
}

// New builds the portal.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), sessions: newSessions(newSessionStore(cfg.Users, cfg.Log)), pages: map[string]*template.Template{},
		throttle: throttle{fails: map[string]*failures{}}, feeds: feedLimit{open: map[string]int{}}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		s.pages[strings.TrimPrefix(n, "templates/")] = t
	}
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET "+Prefix+"{$}", s.home)
	s.mux.HandleFunc("GET "+Prefix+"login", s.loginForm)
	s.mux.HandleFunc("POST "+Prefix+"login", s.login)
	s.mux.HandleFunc("GET "+Prefix+"login/totp", s.totpForm)
	s.mux.HandleFunc("POST "+Prefix+"login/totp", s.totp)
	s.mux.HandleFunc("POST "+Prefix+"logout", s.logout)
	s.mux.HandleFunc("GET "+oidcPath, s.oidcStart)
	s.mux.HandleFunc("GET "+oidcPath+"/callback", s.oidcCallback)
	s.mux.HandleFunc("GET "+Prefix+"idp", s.signedIn(canReview, s.idps))
	s.mux.HandleFunc("POST "+Prefix+"idp", s.signedIn(canReview, s.setIdP))
	s.mux.HandleFunc("POST "+Prefix+"people/link", s.signedIn(canAdmin, s.linkPerson))
	s.mux.HandleFunc("GET "+Prefix+"report", s.signedIn(canReport, s.reportForm))
	s.mux.HandleFunc("POST "+Prefix+"report", s.signedIn(canReport, s.preview))
	s.mux.HandleFunc("POST "+Prefix+"report/send", s.signedIn(canReport, s.send))
	s.mux.HandleFunc("GET "+Prefix+"receipts", s.signedIn(canReport, s.receipts))
	s.mux.HandleFunc("GET "+Prefix+"feed", s.signedIn(canRead, s.feedPage))
	s.mux.HandleFunc("GET "+Prefix+"feed/events", s.signedIn(canRead, s.feedEvents))
	s.mux.HandleFunc("GET "+Prefix+"feed/export", s.signedIn(canRead, s.feedExport))
	s.mux.HandleFunc("GET "+Prefix+"directory", s.signedIn(anyone, s.directory))
	s.mux.HandleFunc("GET "+Prefix+"people", s.signedIn(canAdmin, s.people))
	s.mux.HandleFunc("POST "+Prefix+"people", s.signedIn(canAdmin, s.invite))
	s.mux.HandleFunc("POST "+Prefix+"people/remove", s.signedIn(canAdmin, s.removePerson))
	s.mux.HandleFunc("POST "+Prefix+"people/signout", s.signedIn(canAdmin, s.signOutPerson))
	s.mux.HandleFunc("GET "+Prefix+"on-duty", s.signedIn(anyone, s.onDuty))
	s.mux.HandleFunc("GET "+Prefix+"requests", s.signedIn(canRead, s.requestList))
	s.mux.HandleFunc("POST "+Prefix+"requests", s.signedIn(canRead, s.sendRequest))
	s.mux.HandleFunc("GET "+Prefix+"requests/show", s.signedIn(canRead, s.showRequest))
	s.mux.HandleFunc("POST "+Prefix+"requests/respond", s.signedIn(canRead, s.respond))
	s.mux.HandleFunc("POST "+Prefix+"requests/close", s.signedIn(canRead, s.closeRequest))
	s.mux.HandleFunc("POST "+Prefix+"requests/extend", s.signedIn(canRead, s.extendRequest))
	s.mux.HandleFunc("GET "+Prefix+"review", s.signedIn(canReview, s.reviewQueue))
	s.mux.HandleFunc("GET "+Prefix+"review/show", s.signedIn(canReview, s.showHeld))
	s.mux.HandleFunc("POST "+Prefix+"review", s.signedIn(canReview, s.settleHeld))
	return s, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}

// ServeHTTP sets the security headers, refuses cross-site and
// token-less POSTs, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin") // not no-referrer: the browser would then send Origin: null, refused below
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := s.checkPost(r); err != nil {
			s.cfg.Log.Warn("portal: POST refused", "path", r.URL.Path, "err", err)
			http.Error(w, "Forbidden: "+err.Error()+". Reload the page and try again.", http.StatusForbidden)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// checkPost: same origin (when the browser says), a live session, and
// that session's CSRF token in the form.
func (s *Server) checkPost(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) { // "null" too: a sandboxed frame
		return errors.New("cross-origin request")
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return errors.New("cross-site request")
	}
	sess, ok := s.current(r)
	if !ok {
		return errors.New("no session (cookies are needed)")
	}
	if err := r.ParseForm(); err != nil {
		return errors.New("unreadable form")
	}
	if !sess.checkCSRF(r.PostForm.Get("csrf")) {
		return errors.New("missing or wrong CSRF token")
	}
	return nil
}

func sameOrigin(origin string, r *http.Request) bool {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return origin == scheme+r.Host || (r.TLS == nil && origin == "https://"+r.Host) // behind a TLS proxy
}

// page is what every template gets.
type page struct {
	Title  string
	User   string
	Member string
	Role   Role
	CSRF   string
	Errors []string
	Data   any
}

func (s *Server) render(w http.ResponseWriter, sess session, status int, name, title string, data any, errs ...string) {
	p := page{Title: title, Data: data, Errors: errs, CSRF: sess.csrf, User: sess.user, Member: sess.member, Role: sess.role}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages[name].Execute(w, p); err != nil {
		s.cfg.Log.Error("portal: render", "page", name, "err", err)
	}
}

// throttle locks an account for a while after repeated failed sign-ins.
type throttle struct {
	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	n     int
	until time.Time
}

const (
	maxFailures = 5
	lockout     = 5 * time.Minute
)

func (t *throttle) locked(user string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[user]
	return f != nil && time.Now().Before(f.until)
}

func (t *throttle) fail(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[user]
	if f == nil {
		if len(t.fails) > maxSessions {
			clear(t.fails)
		}
		f = &failures{}
		t.fails[user] = f
	}
	if f.n++; f.n >= maxFailures {
		f.n, f.until = 0, time.Now().Add(lockout)
	}
}

func (t *throttle) ok(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, user)
}
