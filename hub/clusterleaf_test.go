package hub_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
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
// receipt, another pulls the share from its inbox consumer through its
// leaf under the domain's JetStream prefix (as a connector does) and acks
// it. Behind a leaf a member is still confined to its own: another
// member's consumer and the stream API stay out of reach. Without the
// domain imports (hub.ClusterAccounts) the pull finds no responders.
func TestMembersReachTheHubThroughLeafNodes(t *testing.T) {
	dir := t.TempDir()
	accounts, err := hub.ClusterAccountsInDomain(dir, policy.DemoMoU(), hub.DefaultMaxPayload, leafDomain)
	require.NoError(t, err)
	cl := hubtest.StartClusterForLeafNodes(t, 3, accounts, leafDomain)
	startClusterHub(t, cl, dir, hubtest.WithDir(dir))
	bankSite := startLeafSite(t, cl.LeafURL(1), wire.CredsPath(dir, "bank-one"))
	leSite := startLeafSite(t, cl.LeafURL(2), wire.CredsPath(dir, "le-alpha"))

	bank, err := member.Dial(ctx(t), bankSite.ClientURL(), wire.CredsPath(dir, "bank-one"))
	require.NoError(t, err)
	t.Cleanup(bank.Close)
	res, err := bank.Submit(ctx(t), caseBundle(t, "green-tlp1-to-all.json"), member.SubmitOptions{MsgID: "through-the-leaf"})
	require.NoError(t, err, "submit through bank-one's leaf node")
	require.NotNil(t, res.Receipt)
	require.Equal(t, "through-the-leaf", res.Receipt.MsgID)

	le := siteJetStream(t, leSite, wire.CredsPath(dir, "le-alpha"))
	var cons jetstream.Consumer
	hubtest.Eventually(t, 30*time.Second, func() error { // the leaf learns the hub's interest after connecting
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		cons, err = le.Consumer(c, wire.StreamShare, wire.InboxConsumer("le-alpha"))
		return err
	})
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
	require.NoError(t, err)
	got := 0
	for msg := range batch.Messages() {
		got++
		require.Equal(t, res.Receipt.Submission, msg.Headers().Get(wire.HeaderSubmission))
		require.NoError(t, msg.DoubleAck(ctx(t)), "ack through the leaf node")
	}
	require.NoError(t, batch.Error())
	require.Equal(t, 1, got, "the share, pulled through le-alpha's leaf node")

	// bank-one's site tries le-alpha's consumer and the stream API.
	spy := siteJetStream(t, bankSite, wire.CredsPath(dir, "bank-one"))
	c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = spy.Consumer(c, wire.StreamShare, wire.InboxConsumer("le-alpha"))
	require.Error(t, err, "another member's consumer through a leaf node")
	_, err = spy.Stream(c, wire.StreamShare)
	require.Error(t, err, "the stream API through a leaf node")
}

// startLeafSite runs a partner's NATS server whose leaf node connection
// to the cluster at leafURL authenticates with the NKey in creds, so its
// clients are in that member's account on the cluster. Its own one user
// is the same key (a site may have users of its own). It waits up to 20 s
// for the connection.
func startLeafSite(t *testing.T, leafURL, creds string) *server.Server {
	t.Helper()
	data, err := os.ReadFile(creds)
	require.NoError(t, err)
	kp, err := nkeys.ParseDecoratedNKey(data)
	require.NoError(t, err)
	seed, err := kp.Seed()
	require.NoError(t, err)
	pub, err := kp.PublicKey()
	require.NoError(t, err)
	u, err := url.Parse(leafURL)
	require.NoError(t, err)
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true, Nkeys: []*server.NkeyUser{{Nkey: pub}},
		LeafNode: server.LeafNodeOpts{Remotes: []*server.RemoteLeafOpts{{URLs: []*url.URL{u}, Nkey: string(seed)}}}})
	require.NoError(t, err)
	s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	require.True(t, s.ReadyForConnections(10*time.Second))
	hubtest.Eventually(t, 20*time.Second, func() error {
		if s.NumLeafNodes() == 0 {
			return fmt.Errorf("%s: no leaf node connection to %s yet", creds, leafURL)
		}
		return nil
	})
	return s
}

// siteJetStream is a client at a partner's site (its leaf node) with the
// member's creds and inbox prefix that uses the cluster's JetStream
// through the domain's prefix.
func siteJetStream(t *testing.T, site *server.Server, creds string) jetstream.JetStream {
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
