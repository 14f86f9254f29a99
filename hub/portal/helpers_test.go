package portal_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/portal"
)

// devHub is a --dev hub: it writes one member admin per member (and an
// operator account) to its data dir, as `geneva-hub --dev` does.
func devHub(t *testing.T) *hubtest.Hub {
	return hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.Dev = true }))
}

type account struct{ user, password, totp string }

func readAccount(t *testing.T, h *hubtest.Hub, user string) account {
	t.Helper()
	data, err := os.ReadFile(hub.PortalAccountPath(h.Dir, user))
	if err != nil {
		t.Fatalf("dev account %s: %v", user, err)
	}
	a := account{user: user}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "password":
			a.password = v
		case "totp_secret":
			a.totp = v
		}
	}
	return a
}

// browser is a cookie-keeping client that remembers the last page, as a
// person's browser would.
type browser struct {
	t       *testing.T
	c       *http.Client
	base    string
	body    string
	url     string
	status  int
	headers http.Header
}

func newBrowser(t *testing.T, h *hubtest.Hub) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: "http://" + h.HTTPAddr()}
}

func (b *browser) do(req *http.Request) int {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.body, b.url, b.status, b.headers = string(body), resp.Request.URL.Path, resp.StatusCode, resp.Header
	return resp.StatusCode
}

func (b *browser) get(path string) int {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the last page.
func (b *browser) csrf() string {
	m := csrfRE.FindStringSubmatch(b.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%s", b.url, b.body)
	}
	return m[1]
}

// post submits form with the last page's CSRF token unless form has one.
func (b *browser) post(path string, form url.Values, header ...string) int {
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base + "/portal/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// totpCode is the account's code steps 30-second steps from now (a later
// step lets a test sign the same account in again: each code works once).
func totpCode(t *testing.T, a account, steps int) string {
	code, err := portal.TOTPCode(a.totp, time.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// signIn signs user in with password and TOTP code.
func signIn(t *testing.T, h *hubtest.Hub, user string, step int) *browser {
	t.Helper()
	return signInAs(t, h, readAccount(t, h, user), step)
}

func signInAs(t *testing.T, h *hubtest.Hub, a account, step int) *browser {
	t.Helper()
	b := newBrowser(t, h)
	b.get("/portal/login")
	if b.post("/portal/login", url.Values{"user": {a.user}, "password": {a.password}}) != 200 || b.url != "/portal/login/totp" {
		t.Fatalf("password step: %d at %s:\n%s", b.status, b.url, b.body)
	}
	if b.post("/portal/login/totp", url.Values{"code": {totpCode(t, a, step)}}) != 200 {
		t.Fatalf("TOTP step: %d at %s:\n%s", b.status, b.url, b.body)
	}
	return b
}

// incident is a filled-in report form.
func incident(title, indicators, tlp string, to ...string) url.Values {
	f := url.Values{"title": {title}, "what": {"Phishing mails with a fake login page."}, "when": {"2026-12-01T08:30"},
		"impact": {"Two accounts taken over"}, "sector": {"financial-services"}, "indicators": {indicators}, "tlp": {tlp},
		"audience": {"partnership"}}
	if len(to) > 0 {
		f.Set("audience", "members")
		f["to"] = to
	}
	return f
}

var draftRE = regexp.MustCompile(`name="draft" value="([^"]+)"`)

// report previews form, then sends it; it returns the receipt page.
func (b *browser) report(form url.Values) string {
	b.t.Helper()
	b.get("/portal/report")
	if b.post("/portal/report", form) != 200 {
		b.t.Fatalf("preview: %d:\n%s", b.status, b.body)
	}
	m := draftRE.FindStringSubmatch(b.body)
	if m == nil {
		b.t.Fatalf("preview offers no send:\n%s", b.body)
	}
	if b.post("/portal/report/send", url.Values{"draft": {m[1]}}) != 200 {
		b.t.Fatalf("send: %d:\n%s", b.status, b.body)
	}
	return b.body
}

// events opens the member's live feed and returns its share events.
func (b *browser) events(query string) <-chan portal.FeedEvent {
	ctx, cancel := context.WithCancel(context.Background())
	b.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/portal/feed/events"+query, nil)
	client := &http.Client{Jar: b.c.Jar} // no timeout: the stream stays open
	resp, err := client.Do(req)
	if err != nil {
		b.t.Fatalf("feed: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		b.t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan portal.FeedEvent, 100)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event, data := "", ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "":
				var ev portal.FeedEvent
				if event == "share" && json.Unmarshal([]byte(data), &ev) == nil {
					out <- ev
				}
				event, data = "", ""
			}
		}
	}()
	return out
}

// waitFor returns the first event with an object whose pattern holds
// value, failing if a rejected value shows first or nothing comes within
// wait.
func waitFor(t *testing.T, who string, events <-chan portal.FeedEvent, value string, wait time.Duration, rejects ...string) portal.FeedEvent {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-events:
			for _, o := range ev.Objects {
				for _, reject := range rejects {
					if strings.Contains(o.JSON, reject) {
						t.Fatalf("%s's feed shows %s, which it must never show", who, reject)
					}
				}
			}
			for _, o := range ev.Objects {
				if strings.Contains(o.Pattern, value) {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("%s's feed did not show %s within %s", who, value, wait)
		}
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, body)
		}
	}
}
