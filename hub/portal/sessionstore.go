package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// sessionStore keeps signed-in sessions in the portal's bucket under
// "session.<sha-256 of the id>": whoever reads the bucket learns no
// cookie. An unreadable store ends the session (fail closed); without
// accounts (a portal built with no Users) no one signs in.
type sessionStore struct {
	kv  jetstream.KeyValue
	log *slog.Logger

	mu        sync.Mutex
	lastSweep time.Time
}

const (
	storeTimeout       = 5 * time.Second
	storeLastSeenEvery = time.Minute // how stale the stored last-seen time may be
	sweepEvery         = 10 * time.Minute
)

func newSessionStore(users *Users, log *slog.Logger) *sessionStore {
	st := &sessionStore{log: log}
	if users != nil {
		st.kv = users.kv
	}
	return st
}

type storedSession struct {
	CSRF     string    `json:"csrf"`
	User     string    `json:"user"`
	Member   string    `json:"member,omitempty"`
	Role     Role      `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "session." + hex.EncodeToString(sum[:])
}

func (st *sessionStore) load(id string) (*session, bool) {
	if st.kv == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	e, err := st.kv.Get(ctx, sessionKey(id))
	if err != nil {
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			st.log.Error("portal: read session", "err", err)
		}
		return nil, false
	}
	var rec storedSession
	if err := json.Unmarshal(e.Value(), &rec); err != nil || rec.User == "" {
		st.log.Error("portal: stored session unreadable", "key", e.Key(), "err", err)
		return nil, false
	}
	return &session{id: id, csrf: rec.CSRF, user: rec.User, member: rec.Member, role: rec.Role,
		created: rec.Created, lastSeen: rec.LastSeen, drafts: map[string]*draft{}}, true
}

// save stores signed-in session s as last seen at seen.
func (st *sessionStore) save(s *session, seen time.Time) bool {
	if st.kv == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	data, _ := json.Marshal(storedSession{CSRF: s.csrf, User: s.user, Member: s.member, Role: s.role,
		Created: s.created, LastSeen: seen})
	if _, err := st.kv.Put(ctx, sessionKey(s.id), data); err != nil {
		st.log.Error("portal: store session", "user", s.user, "err", err)
		return false
	}
	st.sweepSometimes()
	return true
}

func (st *sessionStore) delete(id string) {
	if st.kv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := st.kv.Purge(ctx, sessionKey(id)); err != nil {
		st.log.Error("portal: delete session", "err", err)
	}
}

// sweepSometimes deletes expired sessions from the store, at most every
// sweepEvery, in the background.
func (st *sessionStore) sweepSometimes() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if time.Since(st.lastSweep) < sweepEvery {
		return
	}
	st.lastSweep = time.Now()
	go st.sweep(time.Now())
}

func (st *sessionStore) sweep(now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	keys, err := st.kv.ListKeysFiltered(ctx, "session.>")
	if err != nil {
		return
	}
	for k := range keys.Keys() {
		e, err := st.kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var rec storedSession
		if json.Unmarshal(e.Value(), &rec) != nil || now.Sub(rec.LastSeen) > sessionIdle || now.Sub(rec.Created) > sessionAbsolute {
			_ = st.kv.Purge(ctx, k)
		}
	}
}

// userKeys lists the bucket's account keys.
func userKeys(ctx context.Context, kv jetstream.KeyValue) ([]string, error) {
	keys, err := kv.ListKeysFiltered(ctx, "user.>")
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range keys.Keys() {
		out = append(out, strings.TrimPrefix(k, "user."))
	}
	return out, nil
}
