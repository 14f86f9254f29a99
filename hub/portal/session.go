package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Every visitor gets a session (anonymous until signed in) so that the
// sign-in form carries a CSRF token too. The id changes at each step of
// signing in, so an id planted in a victim's browser before sign-in is
// worthless. Anonymous and half-signed-in sessions live in this hub's
// memory only (a visitor costs the hub no storage); a signed-in session is
// also stored in the portal's bucket (sessionstore.go), so it survives a
// restart and every hub of a cluster sees it, and signing out anywhere
// ends it everywhere. Previewed reports (drafts) stay in memory.
const (
	sessionIdle     = 30 * time.Minute
	sessionAbsolute = 12 * time.Hour
	maxSessions     = 100_000
	maxDrafts       = 8
)

type session struct {
	id       string
	csrf     string
	user     string // "" until the password and the TOTP code are both checked
	member   string
	role     Role
	pending  string // user whose password was checked, waiting for the TOTP code
	created  time.Time
	lastSeen time.Time
	drafts   map[string]*draft // reports previewed and not yet sent
}

func (s *session) signedIn() bool { return s.user != "" }

func (s *session) checkCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

type sessions struct {
	mu    sync.Mutex
	all   map[string]*session // this hub's: anonymous ones, and a cache of the stored ones
	store *sessionStore
	now   func() time.Time
}

func newSessions(store *sessionStore) *sessions {
	return &sessions{all: map[string]*session{}, store: store, now: time.Now}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns a copy of the live session with this id; a session past
// its idle or absolute limit is dropped. A signed-in session is live only
// while the store has it (a sign-out on another hub ends it here too).
// Sessions change only under the lock (a browser sends concurrent
// requests); the store is read and written outside it.
func (ss *sessions) get(id string) (session, bool) {
	ss.mu.Lock()
	s := ss.all[id]
	anonymous := s != nil && !s.signedIn()
	ss.mu.Unlock()
	var stored *session
	if !anonymous {
		var ok bool
		if stored, ok = ss.store.load(id); !ok {
			ss.mu.Lock()
			delete(ss.all, id)
			ss.mu.Unlock()
			return session{}, false
		}
	}
	now := ss.now()
	ss.mu.Lock()
	if s = ss.all[id]; s == nil {
		if stored == nil {
			ss.mu.Unlock()
			return session{}, false
		}
		s = stored
		ss.all[id] = s
	}
	if stored != nil && stored.lastSeen.After(s.lastSeen) { // seen on another hub
		s.lastSeen = stored.lastSeen
	}
	if now.Sub(s.lastSeen) > sessionIdle || now.Sub(s.created) > sessionAbsolute {
		ss.dropLocked(id, s)
		ss.mu.Unlock()
		return session{}, false
	}
	s.lastSeen = now
	out := *s
	ss.mu.Unlock()
	if stored != nil && now.Sub(stored.lastSeen) > storeLastSeenEvery {
		ss.store.save(&out, now) // best effort: at worst the session idles out a minute early
	}
	return out, true
}

// fresh starts an anonymous session.
func (ss *sessions) fresh() session {
	now := ss.now()
	s := &session{id: randomToken(), csrf: randomToken(), created: now, lastSeen: now, drafts: map[string]*draft{}}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.all) >= maxSessions {
		ss.evictLocked(now)
	}
	ss.all[s.id] = s
	return *s
}

// rotate moves session id to a new id and CSRF token, applying change;
// the old id is dead from then on.
func (ss *sessions) rotate(id string, change func(*session)) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.all[id]
	if s == nil {
		return session{}, false
	}
	ss.dropLocked(id, s)
	s.id, s.csrf = randomToken(), randomToken()
	s.created, s.lastSeen = ss.now(), ss.now()
	s.drafts = map[string]*draft{}
	change(s)
	if s.signedIn() && !ss.store.save(s, s.lastSeen) {
		return session{}, false
	}
	ss.all[s.id] = s
	return *s, true
}

func (ss *sessions) drop(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.dropLocked(id, ss.all[id])
}

// dropLocked forgets session id, and deletes it from the store if it
// was signed in (or is not in memory: it may be another hub's).
func (ss *sessions) dropLocked(id string, s *session) {
	delete(ss.all, id)
	if s == nil || s.signedIn() {
		ss.store.delete(id)
	}
}

// addDraft keeps a previewed report in session id (the oldest goes when
// there are too many) and returns its id.
func (ss *sessions) addDraft(id string, d *draft) string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.all[id]
	if s == nil {
		return ""
	}
	for len(s.drafts) >= maxDrafts {
		var oldest string
		for k, v := range s.drafts {
			if oldest == "" || v.created.Before(s.drafts[oldest].created) {
				oldest = k
			}
		}
		delete(s.drafts, oldest)
	}
	key := randomToken()
	s.drafts[key] = d
	return key
}

// takeDraft removes and returns a draft of session id (sent once).
func (ss *sessions) takeDraft(id, key string) *draft {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.all[id]
	if s == nil {
		return nil
	}
	d := s.drafts[key]
	delete(s.drafts, key)
	return d
}

// evictLocked drops expired sessions, and anonymous ones if still full.
func (ss *sessions) evictLocked(now time.Time) {
	for id, s := range ss.all {
		if now.Sub(s.lastSeen) > sessionIdle || now.Sub(s.created) > sessionAbsolute {
			delete(ss.all, id)
		}
	}
	for id, s := range ss.all {
		if len(ss.all) < maxSessions {
			return
		}
		if !s.signedIn() {
			delete(ss.all, id)
		}
	}
}
