package hub_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// isolatedCluster is a hub process connected to node 1 of a 3-node NATS
// cluster that loads hub.ClusterAccounts, and every demo member connected
// to node 2 or 3: never the hub's node, so every request, answer and
// JetStream call crosses a route.
type isolatedCluster struct {
	cl      *hubtest.Cluster
	h       *hubtest.Hub
	dir     string
	layout  clusterLayout
	members map[string]*hubtest.Member
	op      *hubtest.Member
}

// clusterLayout is how the cluster's servers know the members: the
// configuration every node includes, where each one's creds are, and how
// many reloads a change takes (nats-server 2.15 subscribes the service
// imports of a configured account a reload creates only at the next
// reload: a new or resumed member's requests found no responders; JWT
// accounts are registered when first used, with their imports).
type clusterLayout struct {
	config  func(dataDir string, mou *policy.MoU, maxPayload int32) (string, error)
	creds   func(dataDir, member string) string
	reloads int  // 0: the hub pushes every change to the servers (jwt_accounts)
	jwt     bool // the hub runs with jwt_accounts
}

var (
	configuredAccounts = clusterLayout{hub.ClusterAccounts, wire.CredsPath, 2, false}
	jwtAccounts        = clusterLayout{hub.ClusterJWT, hub.JWTCredsPath, 0, true}
)

func startIsolatedCluster(t *testing.T, layouts ...clusterLayout) *isolatedCluster {
	t.Helper()
	layout := configuredAccounts
	if len(layouts) > 0 {
		layout = layouts[0]
	}
	dir := t.TempDir()
	conf, err := layout.config(dir, policy.DemoMoU(), hub.DefaultMaxPayload)
	require.NoError(t, err)
	cl := hubtest.StartClusterWithAccounts(t, 3, conf)
	h := hubtest.StartHub(t, hubtest.WithDir(dir), hubtest.WithConfig(func(c *hub.Config) {
		c.HubConnection = hub.HubConnection{NATSURL: cl.Nodes[0].ClientURL(), Creds: layout.creds(dir, wire.OperatorName)}
		c.JWTAccounts = layout.jwt
	}))
	ic := &isolatedCluster{cl: cl, h: h, dir: dir, layout: layout, members: map[string]*hubtest.Member{}}
	for i, m := range policy.DemoMoU().Members {
		ic.members[m.ID] = ic.connect(t, m.ID, 1+i%2)
	}
	ic.op = ic.connect(t, wire.OperatorName, 0)
	return ic
}

// connect connects as id to node i only.
func (ic *isolatedCluster) connect(t *testing.T, id string, i int) *hubtest.Member {
	t.Helper()
	m, err := ic.dial(id, i)
	require.NoError(t, err, "%s on node %d", id, i+1)
	t.Cleanup(m.NC.Close)
	return m
}

// connect2 connects as id with credsFile to node i only.
func (ic *isolatedCluster) connect2(t *testing.T, id, credsFile string, i int) *hubtest.Member {
	t.Helper()
	m, err := ic.h.ConnectCreds(id, credsFile, onNode(ic.cl.Nodes[i].ClientURL()))
	require.NoError(t, err, "%s (%s) on node %d", id, credsFile, i+1)
	t.Cleanup(m.NC.Close)
	return m
}

// dial connects as id to node i only, or fails.
func (ic *isolatedCluster) dial(id string, i int) (*hubtest.Member, error) {
	return ic.h.ConnectCreds(id, ic.layout.creds(ic.dir, id), onNode(ic.cl.Nodes[i].ClientURL()))
}

// apply changes the MoU as an operator does on a cluster: with configured
// accounts every NATS node reloads the file that geneva-hub cluster-users
// writes for it (as often as the layout needs); then the hub process
// reloads the MoU, with JWT accounts pushing the account JWTs to the
// servers (no file, no reload).
func (ic *isolatedCluster) apply(t *testing.T, change func(*policy.MoU)) {
	t.Helper()
	mou := *ic.h.MoU()
	mou.Members = append([]policy.Member(nil), mou.Members...)
	change(&mou)
	if ic.layout.reloads > 0 {
		accounts, err := ic.layout.config(ic.dir, &mou, hub.DefaultMaxPayload)
		require.NoError(t, err)
		for range ic.layout.reloads {
			ic.cl.Reload(accounts)
		}
	}
	require.NoError(t, ic.h.ApplyMoU(context.Background(), &mou))
}

// waitCutOff waits until m's connection is gone and checks that m cannot
// connect to any node (with its creds, or credsFile). (Its client keeps trying the cluster's other
// nodes, each of which refuses it, so the connection is not closed.)
func (ic *isolatedCluster) waitCutOff(t *testing.T, m *hubtest.Member, credsFile ...string) {
	t.Helper()
	hubtest.Eventually(t, 10*time.Second, func() error {
		if m.NC.IsConnected() {
			return errors.New(m.ID + " is still connected")
		}
		return nil
	})
	for i := range ic.cl.Nodes {
		creds := ic.layout.creds(ic.dir, m.ID)
		if len(credsFile) > 0 {
			creds = credsFile[0]
		}
		_, err := ic.h.ConnectCreds(m.ID, creds, onNode(ic.cl.Nodes[i].ClientURL()))
		require.ErrorIs(t, err, nats.ErrAuthorization, "%s on node %d", m.ID, i+1)
	}
	require.False(t, m.NC.IsConnected(), "%s reconnected", m.ID)
}

// onNode makes a connection go to url only (one node of a cluster),
// whatever seeds it was given.
func onNode(url string) nats.Option {
	return func(o *nats.Options) error {
		o.Servers = []string{url}
		return nil
	}
}

// On a cluster, a member connected to a node other than the hub's cannot
// make JetStream or the hub answer anywhere but to itself (the reply
// subject attack of TestReplySubjectsReachNothingElse). With the members
// as NKey users of one account (the cluster-users file before member
// accounts) it deleted, purged or changed every stream and consumer.
func TestReplySubjectsReachNothingElseOnCluster(t *testing.T) {
	ic := startIsolatedCluster(t)
	replyAttack(t, ic.members, ic.op)
}

// TestReplySubjectsReachNothingElseOnCluster with the cluster in operator
// mode: JWT accounts from a memory resolver every node preloads.
func TestReplySubjectsReachNothingElseOnJWTCluster(t *testing.T) {
	ic := startIsolatedCluster(t, jwtAccounts)
	replyAttack(t, ic.members, ic.op)
}

// TestAuthorizationMatrixOnCluster in operator mode.
func TestAuthorizationMatrixOnJWTCluster(t *testing.T) {
	ic := startIsolatedCluster(t, jwtAccounts)
	authorizationMatrix(t, ic.members)
}

// The authorization matrix holds on a cluster, for members connected to
// nodes other than the hub's.
func TestAuthorizationMatrixOnCluster(t *testing.T) {
	ic := startIsolatedCluster(t)
	authorizationMatrix(t, ic.members)
}

// Member lifecycle on a cluster: each change reaches every node by
// reloading the accounts file, and applies to a member on any node at
// once; a member that comes back (or is new) reaches everything again.
func TestMemberLifecycleOnCluster(t *testing.T) {
	for name, layout := range map[string]clusterLayout{"configured accounts": configuredAccounts, "jwt accounts": jwtAccounts} {
		t.Run(name, func(t *testing.T) { memberLifecycle(t, startIsolatedCluster(t, layout)) })
	}
}

func memberLifecycle(t *testing.T, ic *isolatedCluster) {
	set := func(id string, suspended bool) func(*policy.MoU) {
		return func(m *policy.MoU) { m.Members[memberIndex(t, m, id)].Suspended = suspended }
	}
	bank := ic.members["bank-one"]
	works(t, bank)

	ic.apply(t, set("bank-one", true))
	ic.waitCutOff(t, bank)

	ic.apply(t, set("bank-one", false))
	for i := range ic.cl.Nodes {
		works(t, ic.connect(t, "bank-one", i))
	}

	t.Run("rotate", func(t *testing.T) {
		old := filepath.Join(t.TempDir(), "old.creds")
		seed, err := os.ReadFile(ic.layout.creds(ic.dir, "bank-one"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(old, seed, 0o600))
		ic.apply(t, set("bank-one", true))
		require.NoError(t, os.Remove(wire.CredsPath(ic.dir, "bank-one")))
		ic.apply(t, set("bank-one", false))
		works(t, ic.connect(t, "bank-one", 2))
		_, opts, err := wire.MemberOptions(old, nil)
		require.NoError(t, err)
		for i := range ic.cl.Nodes {
			_, err = nats.Connect(ic.cl.Nodes[i].ClientURL(), append(opts, nats.MaxReconnects(0))...)
			require.ErrorIs(t, err, nats.ErrAuthorization, "the old key is refused on node %d", i+1)
		}
	})

	t.Run("add", func(t *testing.T) {
		ic.apply(t, func(m *policy.MoU) {
			nm := m.Members[memberIndex(t, m, "cert-three")]
			nm.ID, nm.Name = "acad-four", "Academia Four"
			nm.Type, nm.Identity = policy.Academia, "identity--5d5e8b0e-0c6a-4c44-9d0b-3f6f8e0e6a41"
			m.Members = append(m.Members, nm)
		})
		works(t, ic.connect(t, "acad-four", 1))
	})

	t.Run("remove", func(t *testing.T) {
		isp := ic.members["isp-two"]
		works(t, isp)
		ic.apply(t, func(m *policy.MoU) {
			i := memberIndex(t, m, "isp-two")
			m.Members = append(m.Members[:i], m.Members[i+1:]...)
		})
		ic.waitCutOff(t, isp)
	})
}

// On a cluster in operator mode a member's admin issues users for its own
// people with its signing key (geneva admin member user): they can do what
// the member can and no more (the key is scoped to the member's
// permissions; a user JWT of it that claims any is refused), and a new
// signing key cuts every user the old one issued.
func TestMemberAdminIssuesUsersOnJWTCluster(t *testing.T) {
	ic := startIsolatedCluster(t, jwtAccounts)
	sk, err := hub.ReadSigningKey(hub.SigningKeyPath(ic.dir, "bank-one"))
	require.NoError(t, err)
	require.Equal(t, "bank-one", sk.Member)
	creds, _, err := hub.IssueMemberUser(sk, "alice")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "alice.creds")
	require.NoError(t, os.WriteFile(file, creds, 0o600))
	alice := ic.connect2(t, "bank-one", file, 2)
	works(t, alice)
	_, err = ic.h.ConnectCreds("bank-one", wire.CredsPath(ic.dir, "bank-one"), onNode(ic.cl.Nodes[0].ClientURL()))
	require.ErrorIs(t, err, nats.ErrAuthorization, "the member's seed-only creds file, without its user JWT")
	refusedPub(t, alice, "submit as another", wire.SubmitSubject("isp-two"))
	refusedSub(t, alice, "read another's deliveries", wire.DeliverPrefix("isp-two")+".>")

	t.Run("a new signing key cuts every user the old one issued", func(t *testing.T) {
		require.NoError(t, os.Remove(hub.SigningKeyPath(ic.dir, "bank-one")))
		ic.apply(t, func(*policy.MoU) {})
		ic.waitCutOff(t, alice, file)
		works(t, ic.members["bank-one"]) // the member's own creds are not the admin's
	})

	sk, err = hub.ReadSigningKey(hub.SigningKeyPath(ic.dir, "bank-one")) // the new key
	require.NoError(t, err)
	creds, _, err = hub.IssueMemberUser(sk, "alice")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, creds, 0o600))
	works(t, ic.connect2(t, "bank-one", file, 1))

	greedy, err := hub.IssueMemberUserWithPermissions(sk, "mallory", []string{">"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, greedy, 0o600))
	_, err = ic.h.ConnectCreds("bank-one", file, onNode(ic.cl.Nodes[1].ClientURL()))
	require.ErrorIs(t, err, nats.ErrAuthorization, "a user JWT of the scoped key that claims permissions is refused")
}
