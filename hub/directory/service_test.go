package directory_test

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/directory"
)

const subject = "geneva.directory"

func startNATS(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	require.NoError(t, err)
	s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats server not ready after 5s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

func connect(t *testing.T, s *server.Server) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	return nc
}

// serve runs the directory on its own connection, as the hub would, with a
// member list that can change between requests.
func serve(t *testing.T, s *server.Server, members *atomic.Pointer[[]directory.Member]) {
	t.Helper()
	nc := connect(t, s)
	_, err := nc.Subscribe(subject, directory.Handler(func() []directory.Member { return *members.Load() }))
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
}

func ask(t *testing.T, nc *nats.Conn, body string) (directory.Response, string) {
	t.Helper()
	reply, err := nc.Request(subject, []byte(body), 5*time.Second)
	require.NoError(t, err)
	var r directory.Response
	require.NoError(t, json.Unmarshal(reply.Data, &r))
	return r, string(reply.Data)
}

func TestDirectoryOverNATS(t *testing.T) {
	s := startNATS(t)
	var members atomic.Pointer[[]directory.Member]
	all := demo()
	members.Store(&all)
	serve(t, s, &members)
	nc := connect(t, s)

	t.Run("everyone", func(t *testing.T) {
		r, _ := ask(t, nc, "")
		require.Empty(t, r.Error)
		require.Equal(t, []string{"bank-one", "cert-three", "isp-two", "le-alpha", "le-bravo"}, ids(r.Members))
	})
	t.Run("a police expert in Norway, with the 24/7 contact", func(t *testing.T) {
		r, _ := ask(t, nc, `{"jurisdiction":"no","type":"law-enforcement"}`)
		require.Empty(t, r.Error)
		require.Len(t, r.Members, 1)
		require.Equal(t, "le-alpha", r.Members[0].ID)
		require.Equal(t, directory.Contact{Desk: "Cybercrime duty officer", Phone: "+47 21 00 00 00",
			Email: "vakt@le-alpha.example", Languages: []string{"nb", "en"}}, r.Members[0].Contact)
	})
	t.Run("by sector", func(t *testing.T) {
		r, _ := ask(t, nc, `{"sector":"telecommunications"}`)
		require.Equal(t, []string{"isp-two"}, ids(r.Members))
	})
	t.Run("no match is an empty list", func(t *testing.T) {
		_, raw := ask(t, nc, `{"jurisdiction":"SE"}`)
		require.JSONEq(t, `{"members":[]}`, raw)
	})
	t.Run("bad JSON gets a clear error", func(t *testing.T) {
		_, raw := ask(t, nc, `{"jurisdiction":`)
		require.JSONEq(t, `{"error":"query: truncated JSON"}`, raw)
	})
	t.Run("unknown filter gets a clear error", func(t *testing.T) {
		r, _ := ask(t, nc, `{"country":"NO"}`)
		require.Empty(t, r.Members)
		require.Equal(t, `query: unknown field "country" (known: jurisdiction, type, sector)`, r.Error)
	})
	t.Run("a changed member list shows at once", func(t *testing.T) {
		fewer := demo()[:1]
		members.Store(&fewer)
		r, _ := ask(t, nc, "")
		require.Equal(t, []string{"le-bravo"}, ids(r.Members))
	})
}
