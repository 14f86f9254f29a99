package portal

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testBucket is a KV bucket on an embedded JetStream server.
func testBucket(t *testing.T) jetstream.KeyValue {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready after 10s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	kv, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "PORTAL_TEST"})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// A stored session idles out like one in memory, on this hub or after a
// restart, and the sweep deletes what expired from the bucket.
func TestStoredSessionsExpire(t *testing.T) {
	kv := testBucket(t)
	store := &sessionStore{kv: kv, log: slog.New(slog.DiscardHandler)}
	clock := time.Now()
	ss := newSessions(store)
	ss.now = func() time.Time { return clock }
	signIn := func() session {
		anon := ss.fresh()
		s, ok := ss.rotate(anon.id, func(x *session) { x.user, x.member, x.role = "dave", "bank-one", RoleAnalyst })
		if !ok {
			t.Fatal("sign-in not stored")
		}
		return s
	}
	a, b := signIn(), signIn()
	clock = clock.Add(20 * time.Minute)
	if _, ok := ss.get(a.id); !ok {
		t.Fatal("a session 20 minutes idle ended")
	}
	restarted := newSessions(store) // another hub, or this one after a restart
	restarted.now = func() time.Time { return clock }
	if _, ok := restarted.get(b.id); !ok {
		t.Fatal("a stored session did not come back")
	}
	clock = clock.Add(sessionIdle + time.Minute)
	if _, ok := restarted.get(a.id); ok {
		t.Fatal("a session idle past the limit still opens")
	}
	if _, err := kv.Get(context.Background(), sessionKey(a.id)); err == nil {
		t.Fatal("the expired session is still stored")
	}
	store.sweep(clock)
	if _, err := kv.Get(context.Background(), sessionKey(b.id)); err == nil {
		t.Fatal("the sweep left an expired session in the bucket")
	}
}
