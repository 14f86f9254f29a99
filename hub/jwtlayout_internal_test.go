package hub

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// TestMemberReachAsJWTAccounts: the account JWTs of ClusterJWT
// (hubExport, memberAccountClaims), in one server in operator mode with a
// memory resolver (the cluster tests are in clusterisolation_test.go),
// carry a
// member's submit, pull, info and ack across accounts, and a pull whose
// reply subject is a JetStream API call deletes nothing.
func TestMemberReachAsJWTAccounts(t *testing.T) {
	key := func(create func() (nkeys.KeyPair, error)) (nkeys.KeyPair, string) {
		kp, err := create()
		require.NoError(t, err)
		pub, _ := kp.PublicKey()
		return kp, pub
	}
	op, opPub := key(nkeys.CreateOperator)
	_, sysPub := key(nkeys.CreateAccount)
	hubKP, hubPub := key(nkeys.CreateAccount)
	memKP, memPub := key(nkeys.CreateAccount)
	oc := jwt.NewOperatorClaims(opPub)
	oc.SystemAccount = sysPub
	resolver := &server.MemAccResolver{}
	store := func(ac *jwt.AccountClaims) {
		tok, err := ac.Encode(op)
		require.NoError(t, err)
		require.NoError(t, resolver.Store(ac.Subject, tok))
	}
	store(jwt.NewAccountClaims(sysPub))
	hc := jwt.NewAccountClaims(hubPub)
	hc.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	for _, r := range append(memberReach("m1"), reach{jsInfoSink, service}) {
		hc.Exports.Add(hubExport(r))
	}
	mc := memberAccountClaims("m1", memPub, hubPub, policy.DefaultQuota, DefaultMaxPayload)
	store(hc)
	store(mc)
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		TrustedOperators: []*jwt.OperatorClaims{oc}, AccountResolver: resolver, SystemAccount: sysPub})
	require.NoError(t, err)
	srv.Start()
	t.Cleanup(srv.Shutdown)
	require.True(t, srv.ReadyForConnections(10*time.Second))
	connect := func(acc nkeys.KeyPair) jetstream.JetStream {
		ukp, upub := key(nkeys.CreateUser)
		tok, err := jwt.NewUserClaims(upub).Encode(acc)
		require.NoError(t, err)
		seed, _ := ukp.Seed()
		nc, err := nats.Connect(srv.ClientURL(), nats.UserJWTAndSeed(tok, string(seed)))
		require.NoError(t, err)
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		require.NoError(t, err)
		return js
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hub, member := connect(hubKP), connect(memKP)
	// A submission arrives in the hub account at the member's gate
	// (gate.go), which forwards it to the intake; a stream on the gate's
	// subject stands in for the gate here.
	_, err = hub.CreateStream(ctx, jetstream.StreamConfig{Name: wire.IntakeStream("m1"), Subjects: []string{gateSubject("m1")}})
	require.NoError(t, err)
	_, err = hub.CreateStream(ctx, jetstream.StreamConfig{Name: wire.StreamShare, Subjects: []string{wire.SubjectShareAll}})
	require.NoError(t, err)
	_, err = hub.CreateOrUpdateConsumer(ctx, wire.StreamShare, jetstream.ConsumerConfig{Durable: wire.InboxConsumer("m1"), AckPolicy: jetstream.AckExplicitPolicy})
	require.NoError(t, err)

	_, err = member.Publish(ctx, wire.SubmitSubject("m1"), []byte("{}"))
	require.NoError(t, err, "submit through the import")
	// The attack of issue 13: a pull on an empty inbox whose 404 answer
	// goes to a stream delete.
	require.NoError(t, member.Conn().PublishRequest(consumerNext(wire.StreamShare, wire.InboxConsumer("m1")), "$JS.API.STREAM.DELETE."+wire.StreamShare,
		[]byte(`{"batch":1,"no_wait":true}`)))
	inbox, err := member.Consumer(ctx, wire.StreamShare, wire.InboxConsumer("m1")) // answered after the attack's pull
	require.NoError(t, err, "consumer info through the import (the consumer is still there)")
	_, err = hub.Stream(ctx, wire.StreamShare)
	require.NoError(t, err, "GENEVA_SHARE is still there")
	_, err = hub.Publish(ctx, wire.ShareSubjectFrom("green", "m.m1", "x"), []byte("{}"))
	require.NoError(t, err)
	batch, err := inbox.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	require.NoError(t, err)
	for m := range batch.Messages() {
		require.NoError(t, m.DoubleAck(ctx), "ack through the import")
		return
	}
	t.Fatalf("no share pulled through the import: %v", batch.Error())
}
