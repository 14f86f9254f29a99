package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/policy"
)

// Cluster mode (docs/operating.md "Cluster"): with nats_url the hub embeds
// no server; it connects as the operator to an external NATS cluster and
// creates every stream and KV bucket with Replicas copies (JetStream's RAFT
// replication). Several hub processes may run against one cluster at once:
// they share the durable intake consumers (as worker nodes do), answer the
// services in one queue group, and append to the one audit chain through
// its optimistic writes (hub/audit).

const (
	maxReplicas      = 5 // JetStream's limit
	autoReplicas     = 3 // when the cluster can place three copies
	jetStreamTimeout = 60 * time.Second
	probeStream      = "GENEVA_REPLICA_PROBE"
	pubAckTimeout    = 5 * time.Second // above a RAFT leader election
	probeTime        = 10 * time.Second
)

// clustered reports whether the hub runs against an external NATS.
func (c Config) clustered() bool { return c.NATSURL != "" }

// checkCluster adds the problems of the cluster settings to bad.
func (c Config) checkCluster(bad func(field, format string, args ...any)) {
	if c.Replicas < 0 || c.Replicas > maxReplicas {
		bad("replicas", "%d is outside 1..%d (0 picks 3 when the cluster has 3 JetStream servers, else 1)", c.Replicas, maxReplicas)
	} else if c.Replicas%2 == 0 && c.Replicas > 0 {
		bad("replicas", "%d is even: a majority of %d survives no more lost servers than %d copies do; use %d", c.Replicas, c.Replicas, c.Replicas-1, c.Replicas-1)
	}
	if !c.clustered() {
		if c.Replicas > 1 {
			bad("replicas", "%d needs nats_url: the embedded server is one node and keeps one copy", c.Replicas)
		}
		return
	}
	if c.Creds == "" {
		bad("creds", "required with nats_url, which runs the hub against an external NATS cluster (the operator's creds, docs/operating.md \"Cluster\"); a worker node's file goes to geneva-hub worker --config FILE")
	} else {
		c.HubConnection.Check(bad, "the hub reads and writes every stream") // tls: Validate checks it
	}
	if c.TLS.VerifyClients {
		bad("tls.verify_clients", "with nats_url the hub is a client of the cluster, whose servers verify clients; tls holds the hub's client side (ca_file trusts the cluster's certificates, cert_file and key_file present one)")
	}
	if !c.Archive.IsZero() {
		bad("archive", "with nats_url every hub process would run a bridge, and a pair of topics takes exactly one: run it alone (geneva-hub archive --config FILE, docs/archive.md)")
	}
	if c.WorkerNodesOnly {
		bad("worker_nodes_only", "with nats_url, run hub processes that decide instead of worker nodes")
	}
}

// hubConnection is how the hub reaches an external NATS cluster: its
// tls block, the server's on the embedded listener, is then the client's
// (in a file the only one; in code HubConnection.TLS serves when tls is
// empty).
func (c Config) hubConnection() HubConnection {
	conn := c.HubConnection
	if !c.TLS.Client().IsZero() {
		conn.TLS = c.TLS.Client()
	}
	return conn
}

// runOnCluster is Run against an external NATS cluster.
func (h *Hub) runOnCluster(ctx context.Context) error {
	nc, _, err := h.cfg.hubConnection().Dial("geneva-hub:"+h.id, h.log)
	if err != nil {
		return err
	}
	defer nc.Close()
	// A PubAck lost with a stream's leader fails after pubAckTimeout (the
	// audit log retries it) instead of holding a decision until AckWait.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(pubAckTimeout))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := waitForJetStream(ctx, js, jetStreamTimeout); err != nil {
		return fmt.Errorf("nats_url %s: %w", h.cfg.NATSURL, err)
	}
	n, err := chooseReplicas(ctx, js, h.cfg.Replicas)
	if err != nil {
		return fmt.Errorf("nats_url %s: %w", h.cfg.NATSURL, err)
	}
	h.nc, h.js = nc, replicated{JetStream: js, n: n}
	if h.secret, err = h.adoptSecret(ctx); err != nil {
		return err
	}
	if err := h.gate.shareAcross(ctx, h.js); err != nil {
		return err
	}
	h.log.Info("running on a NATS cluster", "nats", nc.ConnectedUrlRedacted(), "cluster", nc.ConnectedClusterName(), "replicas", n)
	return h.runServices(ctx)
}

// followOtherHubs applies the MoU another hub process on the cluster put
// in BucketHub (after its reload), once this one serves: a membership
// change made at any process reaches all of them. A MoU equal to the one
// in force is not applied again, so two processes do not echo each other.
func (h *Hub) followOtherHubs(ctx context.Context) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return
	}
	pol, _, err := openNodePolicy(ctx, h.js)
	if err != nil {
		h.log.Error("following the other hub processes' MoU changes", "err", err)
		return
	}
	done, err := pol.Watch(ctx, h.log, func(mou *policy.MoU) {
		if sameMoU(mou, h.MoU()) {
			return
		}
		if err := h.ApplyMoU(ctx, mou); err != nil && ctx.Err() == nil {
			h.log.Error("mou from another hub process not applied; keeping the one in force", "err", err)
		}
	})
	if err != nil {
		h.log.Error("following the other hub processes' MoU changes", "err", err)
		return
	}
	<-done // the hub's goroutines end before Run returns
}

func sameMoU(a, b *policy.MoU) bool {
	ya, errA := yaml.Marshal(a)
	yb, errB := yaml.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ya, yb)
}

// reloadUsers gives the embedded server the users of a new MoU.
func (h *Hub) reloadUsers(opts *server.Options) error {
	if h.srv == nil {
		return nil
	}
	if err := registerNewAccounts(h.srv, opts); err != nil {
		return err
	}
	if err := h.srv.ReloadOptions(opts); err != nil {
		return fmt.Errorf("reload nats users: %w", err)
	}
	return nil
}

// waitForJetStream waits until the cluster's JetStream answers (a fresh
// cluster elects its meta leader first).
func waitForJetStream(ctx context.Context, js jetstream.JetStream, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		_, err := js.AccountInfo(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("jetstream not available after %s: %w", timeout, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// chooseReplicas is want, or when 0: the replicas of the hub's existing
// state (a restart during an outage must not shrink it), else 3 if the
// cluster can place three copies, else 1.
func chooseReplicas(ctx context.Context, js jetstream.JetStream, want int) (int, error) {
	if want > 0 {
		return want, nil
	}
	if s, err := js.Stream(ctx, "KV_"+BucketHub); err == nil {
		return max(s.CachedInfo().Config.Replicas, 1), nil
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, fmt.Errorf("replicas: %w", err)
	}
	// A cluster that just formed may not know all its peers yet: a
	// placement refusal is retried for probeTime before settling on 1.
	deadline := time.Now().Add(probeTime)
	for {
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: probeStream, Subjects: []string{"geneva.probe.replicas"},
			Storage: jetstream.MemoryStorage, Replicas: autoReplicas, MaxMsgs: 1, Description: "does the cluster place 3 copies?"})
		var apiErr *jetstream.APIError
		switch {
		case err == nil:
			_ = js.DeleteStream(ctx, probeStream)
			return autoReplicas, nil
		case errors.As(err, &apiErr) && apiErr.ErrorCode == codeReplicasNotSupported:
			return 1, nil // one server, not a cluster
		case errors.As(err, &apiErr) && (apiErr.ErrorCode == codeInsufficientResources || apiErr.ErrorCode == codeNoSuitablePeers):
			if time.Now().After(deadline) {
				return 1, nil
			}
		case isAccountNotReady(err) && time.Now().Before(deadline):
			// untilAccountKnown says why
		default:
			return 0, fmt.Errorf("replicas: probing for %d JetStream servers: %w", autoReplicas, err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// nats-server's JSInsufficientResourcesErr, JSStreamReplicasNotSupportedErr,
// JSClusterNoPeersErrF, JSNoAccountErr and JSNotEnabledForAccountErr.
const (
	codeNoAccount             jetstream.ErrorCode = 10035
	codeNotEnabledForAccount  jetstream.ErrorCode = 10039
	codeNoSuitablePeers       jetstream.ErrorCode = 10005
	codeInsufficientResources jetstream.ErrorCode = 10023
	codeReplicasNotSupported  jetstream.ErrorCode = 10074
)

// adoptSecret makes every hub process on the cluster key submission ids
// with one secret: the first puts its own in BucketHub, the others take
// that one (two secrets would give one submission two ids, so a
// redelivery decided by the other process would be a duplicate).
func (h *Hub) adoptSecret(ctx context.Context) ([]byte, error) {
	kv, err := h.hubBucket(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := kv.Create(ctx, keySecret, h.secret); err == nil {
		return h.secret, nil
	} else if !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("provision %s: %s: %w", BucketHub, keySecret, err)
	}
	e, err := kv.Get(ctx, keySecret)
	if err != nil {
		return nil, fmt.Errorf("provision %s: %s: %w", BucketHub, keySecret, err)
	}
	if len(e.Value()) != 32 {
		return nil, fmt.Errorf("provision %s: %s: %d bytes, want 32", BucketHub, keySecret, len(e.Value()))
	}
	return e.Value(), nil
}

// replicated creates every stream and KV bucket with n copies unless the
// caller asked for a number (the hub keeps no object stores).
type replicated struct {
	jetstream.JetStream
	n int
}

// stream also turns direct gets off when there are copies: any replica
// answers a direct get, possibly one behind the leader, and the audit
// log's tail read must see the last record stored (a stale tail made every
// append lose its race: 17 submissions/s instead of 398 in bench/hub).
func (r replicated) stream(c jetstream.StreamConfig) jetstream.StreamConfig {
	if c.Replicas == 0 {
		c.Replicas = r.n
	}
	if c.Replicas > 1 {
		c.AllowDirect = false
	}
	return c
}

func (r replicated) kv(c jetstream.KeyValueConfig) jetstream.KeyValueConfig {
	if c.Replicas == 0 {
		c.Replicas = r.n
	}
	return c
}

func (r replicated) CreateStream(ctx context.Context, c jetstream.StreamConfig) (jetstream.Stream, error) {
	return untilAccountKnown(ctx, func() (jetstream.Stream, error) { return r.JetStream.CreateStream(ctx, r.stream(c)) })
}

func (r replicated) UpdateStream(ctx context.Context, c jetstream.StreamConfig) (jetstream.Stream, error) {
	return untilAccountKnown(ctx, func() (jetstream.Stream, error) { return r.JetStream.UpdateStream(ctx, r.stream(c)) })
}

func (r replicated) CreateOrUpdateStream(ctx context.Context, c jetstream.StreamConfig) (jetstream.Stream, error) {
	return untilAccountKnown(ctx, func() (jetstream.Stream, error) { return r.JetStream.CreateOrUpdateStream(ctx, r.stream(c)) })
}

func (r replicated) CreateKeyValue(ctx context.Context, c jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	return untilAccountKnown(ctx, func() (jetstream.KeyValue, error) { return r.JetStream.CreateKeyValue(ctx, r.kv(c)) })
}

func (r replicated) UpdateKeyValue(ctx context.Context, c jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	return untilAccountKnown(ctx, func() (jetstream.KeyValue, error) { return r.JetStream.UpdateKeyValue(ctx, r.kv(c)) })
}

func (r replicated) CreateOrUpdateKeyValue(ctx context.Context, c jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	return untilAccountKnown(ctx, func() (jetstream.KeyValue, error) { return r.JetStream.CreateOrUpdateKeyValue(ctx, r.kv(c)) })
}

// untilAccountKnown retries create for probeTime while a node refuses its
// copy because it does not know the hub's account yet: "account not found"
// (10035) or "JetStream not enabled for account" (10039, seen once in 60
// stress rounds: an assigned node rejected the replica probe's copy as a
// JWT cluster started). Under JWT accounts a node that saw the hub's
// account on a route before looking it up holds a placeholder without its
// JetStream limits, and two first look-ups at once can make one of them fail
// (as read in nats-server 2.15 lookupOrFetchAccount: the second finds
// the update "too soon" and reports the account expired). The replica probe resolves
// the account on three nodes, but not with replicas set, nor on the
// other nodes of a larger cluster. A hub account that really has no
// JetStream still fails, after probeTime, with the server's error.
func untilAccountKnown[T any](ctx context.Context, create func() (T, error)) (T, error) {
	deadline := time.Now().Add(probeTime)
	for {
		v, err := create()
		if !isAccountNotReady(err) || time.Now().After(deadline) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func isAccountNotReady(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == codeNoAccount || apiErr.ErrorCode == codeNotEnabledForAccount)
}
