package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// startHop is the baseline: publish → stream IN (file, work queue, dedup
// window) → a worker that republishes the same bytes → stream OUT (file) →
// one durable consumer per receiving member, each on its own connection.
// With extraStores 2 ("hop4"), the worker also stores a receipt-sized and
// an audit-sized message per submission (streams RCPT and AUD), as the hub
// does: four stored messages per submission instead of two, and no policy.
// With 1 ("hop3") it stores the receipt only: hop4 − hop3 is what one
// stored audit message per submission costs. Every client is in the
// server's one (global) account.
func startHop(dir string, extraStores int) (*system, error) {
	srv, err := startServer(&server.Options{}, dir)
	if err != nil {
		return nil, err
	}
	return hopOn(srv.ClientURL(), 1, extraStores, func() { stopServer(srv, dir) })
}

// startAcctHop ("hop-acct", "hop4-acct") is startHop with the member
// accounts of the embedded hub's default mode (configured accounts, not
// JWT): the server loads hub.ClusterAccounts, the configuration the hub's
// own accounts are parsed from (demo MoU, rates unthrottled as for the
// hub side). The streams and the worker are in the hub account (operator
// creds); the sender publishes on its submit subject, which its service
// import maps to the hub account's gate subject, where IN takes the gate's
// place, and gets the PubAck back through the import's response; each
// receiver reads and acks its inbox consumer through the imports of its
// account, with the member's creds and permissions. What this adds to the
// hop is what NATS's account crossings cost, with no Geneva code on the
// path.
func startAcctHop(dir string, extraStores int) (*system, error) {
	mou := policy.DemoMoU()
	mou.Quotas = policy.UnthrottledQuota
	accounts, err := hub.ClusterAccounts(dir, mou, hub.DefaultMaxPayload)
	if err != nil {
		return nil, err
	}
	o := &server.Options{}
	if err := o.ProcessConfigString(accounts); err != nil {
		return nil, fmt.Errorf("hop accounts: %w", err)
	}
	o.MaxPayload = hub.DefaultMaxPayload
	srv, err := startServer(o, filepath.Join(dir, "nats"))
	if err != nil {
		return nil, err
	}
	_, hubOpts, err := wire.MemberOptions(wire.CredsPath(dir, wire.OperatorName), nil)
	if err != nil {
		stopServer(srv, dir)
		return nil, err
	}
	sys, err := hopWith(srv.ClientURL(), 1, extraStores, hubOpts, func(stop func()) (*system, error) {
		return members(srv.ClientURL(), dir, stop)
	}, func() { stopServer(srv, dir) })
	if err != nil {
		return nil, err
	}
	sys.name += "-acct"
	return sys, nil
}

// startServer starts a JetStream server on a random port of 127.0.0.1
// with o's other settings, storing under dir.
func startServer(o *server.Options, dir string) (*server.Server, error) {
	o.Host, o.Port, o.JetStream, o.StoreDir, o.NoLog, o.NoSigs = "127.0.0.1", -1, true, dir, true, true
	srv, err := server.NewServer(o)
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("hop: server not ready")
	}
	return srv, nil
}

func stopServer(srv *server.Server, dir string) {
	srv.Shutdown()
	srv.WaitForShutdown()
	_ = os.RemoveAll(dir)
}

// hopOn runs the hop against the NATS at url with streams of replicas
// copies, every client in one account; stop stops that NATS.
func hopOn(url string, replicas, extraStores int, stop func()) (*system, error) {
	return hopWith(url, replicas, extraStores, nil, func(stop func()) (*system, error) {
		return plainClients(url, stop)
	}, stop)
}

// hopWith runs the hop's streams and worker on connections with hubOpts;
// clients connects the sender and the receivers and returns the system,
// whose close closes them and then calls the stop it was given (which
// closes the hop's connections, then calls stop).
func hopWith(url string, replicas, extraStores int, hubOpts []nats.Option, clients func(stop func()) (*system, error), stop func()) (*system, error) {
	var conns []*nats.Conn
	cleanup := func() {
		for _, nc := range conns {
			nc.Close()
		}
		stop()
	}
	connect := func() (jetstream.JetStream, error) {
		nc, err := nats.Connect(url, hubOpts...)
		if err != nil {
			return nil, err
		}
		conns = append(conns, nc)
		return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(asyncWindow))
	}
	fail := func(err error) (*system, error) { cleanup(); return nil, fmt.Errorf("hop: %w", err) }
	ctx := context.Background()
	admin, err := connect()
	if err != nil {
		return fail(err)
	}
	if _, err := admin.CreateStream(ctx, jetstream.StreamConfig{Name: "IN", Subjects: []string{hub.GateSubject(sender)},
		Storage: jetstream.FileStorage, Retention: jetstream.WorkQueuePolicy, Duplicates: 2 * time.Minute, Replicas: replicas}); err != nil {
		return fail(err)
	}
	if _, err := admin.CreateStream(ctx, jetstream.StreamConfig{Name: wire.StreamShare, Subjects: []string{"out.>"},
		Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute, Replicas: replicas}); err != nil {
		return fail(err)
	}
	w, err := admin.CreateOrUpdateConsumer(ctx, "IN", jetstream.ConsumerConfig{Durable: "worker",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 30 * time.Second, MaxAckPending: 10000})
	if err != nil {
		return fail(err)
	}
	wjs, err := connect()
	if err != nil {
		return fail(err)
	}
	name := "hop"
	if extraStores > 0 {
		name = fmt.Sprintf("hop%d", 2+extraStores)
		for _, sc := range []jetstream.StreamConfig{
			{Name: "RCPT", Subjects: []string{"rcpt.>"}, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute, Replicas: replicas},
			{Name: "AUD", Subjects: []string{"aud"}, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute, Replicas: replicas},
		} {
			if _, err := admin.CreateStream(ctx, sc); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := w.Consume(func(msg jetstream.Msg) { republish(wjs, msg, extraStores) }, jetstream.PullMaxMessages(1000)); err != nil {
		return fail(err)
	}
	for _, m := range receivingMembers {
		if _, err := admin.CreateOrUpdateConsumer(ctx, wire.StreamShare, jetstream.ConsumerConfig{Durable: wire.InboxConsumer(m),
			FilterSubject: "out.>", AckPolicy: jetstream.AckExplicitPolicy, DeliverPolicy: jetstream.DeliverNewPolicy}); err != nil {
			return fail(err)
		}
	}
	sys, err := clients(cleanup)
	if err != nil {
		return nil, fmt.Errorf("hop: %w", err) // clients called cleanup
	}
	sys.name = name
	return sys, nil
}

// plainClients connects the sender and the receivers to url without
// credentials (the server's one account); the sender publishes straight
// on IN's subject.
func plainClients(url string, stop func()) (*system, error) {
	return clients(url, func(string) ([]nats.Option, error) { return nil, nil }, func(key string, bundle []byte) *nats.Msg {
		m := nats.NewMsg(hub.GateSubject(sender))
		m.Data = bundle
		m.Header.Set(nats.MsgIdHdr, key)
		return m
	}, stop)
}

// Sizes of a hub receipt and audit record for a one-indicator bundle.
var (
	receiptSized = make([]byte, 700)
	auditSized   = make([]byte, 450)
)

// republish stores the same bytes on OUT (and, with extraStores, a
// receipt-sized message, then an audit-sized one) with message ids derived from
// the input's, then acks the input once every PubAck came (ack last, as
// the hub does).
func republish(js jetstream.JetStream, msg jetstream.Msg, extraStores int) {
	id := msg.Headers().Get(nats.MsgIdHdr)
	outs := []*nats.Msg{{Subject: "out.green.all." + sender, Data: msg.Data(), Header: nats.Header{nats.MsgIdHdr: {id + "/out"}}}}
	if extraStores > 0 {
		outs = append(outs, &nats.Msg{Subject: "rcpt." + sender, Data: receiptSized, Header: nats.Header{nats.MsgIdHdr: {id + "/receipt"}}})
	}
	if extraStores > 1 {
		outs = append(outs, &nats.Msg{Subject: "aud", Data: auditSized, Header: nats.Header{nats.MsgIdHdr: {id + "/audit"}}})
	}
	var fs []jetstream.PubAckFuture
	for _, out := range outs {
		f, err := js.PublishMsgAsync(out, jetstream.WithStallWait(time.Minute))
		if err != nil {
			_ = msg.Nak()
			return
		}
		fs = append(fs, f)
	}
	go func() {
		for _, f := range fs {
			select {
			case <-f.Ok():
			case <-f.Err():
				_ = msg.Nak()
				return
			}
		}
		_ = msg.Ack()
	}()
}
