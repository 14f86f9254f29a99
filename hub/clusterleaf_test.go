package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// leafDomain is the cluster's JetStream domain in the leaf node tests.
const leafDomain = "geneva"

// Partners' sites reach the hub through NATS leaf nodes of their own, each
// connected to a different node of the cluster with its member's key: a
// member submits through its leaf with the member client and gets its
// receipt; their connectors' member clients, given the cluster's JetStream
// domain (connector config hub.jetstream_domain), take the share from one's
// inbox consumer and the receipt from the other's receipt consumer and ack
// them. Behind a leaf a member is still confined to its own: another
// member's consumer and the stream API stay out of reach. Without the
// domain imports (hub.ClusterAccounts), or without the client's domain
// (member.DialOptions.JetStreamDomain), the takes find no responders, and
// a client without the domain is told to set it.
func TestMembersReachTheHubThroughLeafNodes(t *testing.T) {
	membersReachTheHubThroughLeafNodes(t, leafConfigured)
}

// The same with JWT accounts (geneva-hub cluster-users --jwt --domain):
// the leaf nodes connect with the members' JWT creds, and the domain
// imports are in the account JWTs the hub pushes as it starts. Without
// them (hub.ClusterJWT) the takes find no responders.
func TestMembersReachTheHubThroughLeafNodesWithJWTAccounts(t *testing.T) {
	membersReachTheHubThroughLeafNodes(t, leafJWT)
}

func membersReachTheHubThroughLeafNodes(t *testing.T, layout clusterLayout) {
	sites := startLeafSites(t, layout)
	dir, bankSite, leSite := sites.dir, sites.bank, sites.le

	bank, err := member.Dial(ctx(t), bankSite.ClientURL(), layout.creds(dir, "bank-one"))
	require.NoError(t, err)
	t.Cleanup(bank.Close)
	res, err := bank.Submit(ctx(t), caseBundle(t, "green-tlp1-to-all.json"), member.SubmitOptions{MsgID: "through-the-leaf"})
	require.NoError(t, err, "submit through bank-one's leaf node")
	require.NotNil(t, res.Receipt)
	require.Equal(t, "through-the-leaf", res.Receipt.MsgID)

	// Each member's connector takes its inbox and its receipts through its
	// leaf node with the member client as the daemon does (TakeInbox,
	// TakeReceipts), its JetStream API under the domain's prefix.
	le := dialSite(t, leSite, layout.creds(dir, "le-alpha"))
	share := takeOne(t, "le-alpha's share", le.TakeInbox)
	require.Equal(t, res.Receipt.Submission, share.Headers().Get(wire.HeaderSubmission))
	receipt := takeOne(t, "bank-one's receipt", dialSite(t, bankSite, layout.creds(dir, "bank-one")).TakeReceipts)
	var r wire.Receipt
	require.NoError(t, json.Unmarshal(receipt.Data(), &r))
	require.Equal(t, "through-the-leaf", r.MsgID)

	// Without the domain a connector at the site is told what to set.
	plain, err := member.Dial(ctx(t), leSite.ClientURL(), layout.creds(dir, "le-alpha"))
	require.NoError(t, err)
	t.Cleanup(plain.Close)
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var warned error
	plain.TakeInbox(c, 1, func(m member.Msg) { t.Errorf("taken without the domain: %s", m.Subject()) },
		func(err error) { warned = err; cancel() })
	require.ErrorContains(t, warned, "no responders")
	require.ErrorContains(t, warned, "hub.jetstream_domain")

	// bank-one's site tries le-alpha's consumer and the stream API.
	spy := siteJetStream(t, bankSite, layout.creds(dir, "bank-one"))
	c, cancel = context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = spy.Consumer(c, wire.StreamShare, wire.InboxConsumer("le-alpha"))
	require.Error(t, err, "another member's consumer through a leaf node")
	_, err = spy.Stream(c, wire.StreamShare)
	require.Error(t, err, "the stream API through a leaf node")
}

// leafConfigured and leafJWT are the cluster's accounts in leafDomain:
// configured accounts or JWT accounts (clusterisolation_test.go).
var (
	leafConfigured = clusterLayout{inLeafDomain(hub.ClusterAccountsInDomain), wire.CredsPath, 2, false}
	leafJWT        = clusterLayout{inLeafDomain(hub.ClusterJWTInDomain), hub.JWTCredsPath, 0, true}
)

func inLeafDomain(f func(string, *policy.MoU, int32, string) (string, error)) func(string, *policy.MoU, int32) (string, error) {
	return func(dir string, mou *policy.MoU, maxPayload int32) (string, error) {
		return f(dir, mou, maxPayload, leafDomain)
	}
}

// leafSites are a 3-node cluster in leafDomain with the hub on it, and
// two partner sites, bank-one's and le-alpha's, whose leaf nodes connect
// to two different nodes of the cluster.
type leafSites struct {
	dir      string // the hub's data dir, with every creds file
	cl       *hubtest.Cluster
	bank, le *leafSite
}

// startLeafSites starts leafSites with the accounts of layout.
func startLeafSites(t *testing.T, layout clusterLayout) leafSites {
	t.Helper()
	dir := t.TempDir()
	accounts, err := layout.config(dir, policy.DemoMoU(), hub.DefaultMaxPayload)
	require.NoError(t, err)
	cl := hubtest.StartClusterForLeafNodes(t, 3, accounts, leafDomain)
	hubtest.StartHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) {
		c.HubConnection = hub.HubConnection{NATSURL: cl.URL(), Creds: layout.creds(dir, wire.OperatorName)}
		c.JWTAccounts = layout.jwt
	}))
	return leafSites{dir: dir, cl: cl,
		bank: startLeafSite(t, cl.LeafURL(1), layout.creds(dir, "bank-one")),
		le:   startLeafSite(t, cl.LeafURL(2), layout.creds(dir, "le-alpha"))}
}

// leafSite is a partner's NATS server with one leaf node remote.
type leafSite struct {
	*server.Server
	opts *server.Options // as started; Link changes its remote
}

// startLeafSite runs a partner's NATS server whose leaf node connection
// to the cluster at leafURL authenticates with creds, so its clients are
// in that member's account on the cluster: with its user JWT (JWT creds)
// or its NKey (a seed only, configured accounts; the site's own one user
// is then the same key; a site may have users of its own). It waits up to
// 20 s for the connection.
func startLeafSite(t *testing.T, leafURL, creds string) *leafSite {
	t.Helper()
	site := newLeafSite(t, leafURL, creds, nil)
	site.waitLink(t, true)
	return site
}

// newLeafSite is startLeafSite without waiting for the connection; log,
// if not nil, gets the site's server log.
func newLeafSite(t *testing.T, leafURL, creds string, log server.Logger) *leafSite {
	t.Helper()
	u, err := url.Parse(leafURL)
	require.NoError(t, err)
	remote := &server.RemoteLeafOpts{URLs: []*url.URL{u}}
	o := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		LeafNode: server.LeafNodeOpts{Remotes: []*server.RemoteLeafOpts{remote}}}
	data, err := os.ReadFile(creds)
	require.NoError(t, err)
	if bytes.Contains(data, []byte("BEGIN NATS USER JWT")) {
		remote.Credentials = creds
	} else {
		kp, err := nkeys.ParseDecoratedNKey(data)
		require.NoError(t, err)
		seed, err := kp.Seed()
		require.NoError(t, err)
		pub, err := kp.PublicKey()
		require.NoError(t, err)
		remote.Nkey, o.Nkeys = string(seed), []*server.NkeyUser{{Nkey: pub}}
	}
	s, err := server.NewServer(o)
	require.NoError(t, err)
	if log != nil {
		s.SetLogger(log, false, false)
	}
	s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	require.True(t, s.ReadyForConnections(10*time.Second))
	o = o.Clone()
	o.Port = s.Addr().(*net.TCPAddr).Port // a reload keeps the port
	return &leafSite{Server: s, opts: o}
}

// Link takes the site's leaf node connection down (a WAN outage: the
// remote disabled by a configuration reload, which closes the connection
// and dials no more) or brings it back, and waits up to 20 s for it.
func (s *leafSite) Link(t *testing.T, up bool) {
	t.Helper()
	o := s.opts.Clone() // Clone shares the remotes: copy the one to change
	remote := *o.LeafNode.Remotes[0]
	remote.Disabled = !up
	o.LeafNode.Remotes = []*server.RemoteLeafOpts{&remote}
	require.NoError(t, s.ReloadOptions(o))
	s.opts = o
	s.waitLink(t, up)
}

func (s *leafSite) waitLink(t *testing.T, up bool) {
	t.Helper()
	hubtest.Eventually(t, 20*time.Second, func() error {
		if got := s.NumLeafNodes(); (got > 0) != up {
			return fmt.Errorf("site %s: %d leaf node connections, want up=%v", s.ClientURL(), got, up)
		}
		return nil
	})
}

// dialSite is a member client at a partner's site (its leaf node) with
// the cluster's JetStream domain, as a connector behind the leaf dials.
func dialSite(t *testing.T, site *leafSite, creds string) *member.Client {
	t.Helper()
	c, err := member.DialWith(ctx(t), site.ClientURL(), creds, member.DialOptions{JetStreamDomain: leafDomain})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// takeOne runs take (a member client's TakeInbox or TakeReceipts) until it
// hands over one message, acks that through the leaf node and returns it.
// The leaf learns the hub's interest after connecting: up to 60 s.
func takeOne(t *testing.T, what string, take func(context.Context, int, func(member.Msg), func(error))) member.Msg {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got := make(chan member.Msg, 1)
	var last atomic.Value // the last error, as a string (one type)
	take(c, 1, func(m member.Msg) {
		if err := m.DoubleAck(c); err != nil {
			last.Store("ack through the leaf node: " + err.Error())
			return
		}
		got <- m
		cancel()
	}, func(err error) { last.Store(err.Error()) })
	select {
	case m := <-got:
		return m
	default:
		t.Fatalf("%s: nothing taken within 60 s (last error: %v)", what, last.Load())
		return nil
	}
}

// siteJetStream is a client at a partner's site (its leaf node) with the
// member's creds and inbox prefix that uses the cluster's JetStream
// through the domain's prefix.
func siteJetStream(t *testing.T, site *leafSite, creds string) jetstream.JetStream {
	t.Helper()
	_, opts, err := wire.MemberOptions(creds, nil)
	require.NoError(t, err)
	nc, err := nats.Connect(site.ClientURL(), opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.NewWithDomain(nc, leafDomain, jetstream.WithDefaultTimeout(3*time.Second))
	require.NoError(t, err)
	return js
}

// A member's partner sites are bounded by its quota's connections, as its
// clients are: nats-server counts leaf node connections apart from client
// connections, and without max_leafnodes (LeafNodeConn in an account JWT)
// a member could open any number. With a quota of 2, bank-one's third leaf
// node is refused while its first two stay connected.
func TestMemberLeafNodesAreBoundedByItsQuota(t *testing.T) {
	for name, layout := range map[string]clusterLayout{"configured accounts": leafConfigured, "jwt accounts": leafJWT} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			mou := policy.DemoMoU()
			mou.Members[memberIndex(t, mou, "bank-one")].Quota.Connections = 2
			accounts, err := layout.config(dir, mou, hub.DefaultMaxPayload)
			require.NoError(t, err)
			cl := hubtest.StartClusterForLeafNodes(t, 3, accounts, leafDomain)
			creds := layout.creds(dir, "bank-one")
			first, second := startLeafSite(t, cl.LeafURL(0), creds), startLeafSite(t, cl.LeafURL(0), creds)
			log := &siteLog{}
			third := newLeafSite(t, cl.LeafURL(0), creds, log)
			hubtest.Eventually(t, 30*time.Second, func() error {
				if !strings.Contains(log.String(), "maximum account active connections exceeded") {
					return fmt.Errorf("the third site's leaf node not refused yet; its log:\n%s", log)
				}
				return nil
			})
			require.Zero(t, third.NumLeafNodes(), "bank-one's third site")
			require.Equal(t, 1, first.NumLeafNodes())
			require.Equal(t, 1, second.NumLeafNodes())
		})
	}
}

// siteLog is a leaf site's server log, kept.
type siteLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *siteLog) add(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", v...)
}

func (l *siteLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *siteLog) Noticef(format string, v ...any) { l.add(format, v...) }
func (l *siteLog) Warnf(format string, v ...any)   { l.add(format, v...) }
func (l *siteLog) Fatalf(format string, v ...any)  { l.add(format, v...) }
func (l *siteLog) Errorf(format string, v ...any)  { l.add(format, v...) }
func (l *siteLog) Debugf(format string, v ...any)  { l.add(format, v...) }
func (l *siteLog) Tracef(format string, v ...any)  { l.add(format, v...) }
