package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startHop is the baseline: publish → stream IN (file, work queue, dedup
// window) → a worker that republishes the same bytes → stream OUT (file) →
// one durable consumer per receiving member, each on its own connection.
func startHop(dir string) (*system, error) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		return nil, fmt.Errorf("hop: server not ready")
	}
	var conns []*nats.Conn
	cleanup := func() {
		for _, nc := range conns {
			nc.Close()
		}
		srv.Shutdown()
		srv.WaitForShutdown()
		_ = os.RemoveAll(dir)
	}
	connect := func() (jetstream.JetStream, error) {
		nc, err := nats.Connect(srv.ClientURL())
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
	if _, err := admin.CreateStream(ctx, jetstream.StreamConfig{Name: "IN", Subjects: []string{"in.>"},
		Storage: jetstream.FileStorage, Retention: jetstream.WorkQueuePolicy, Duplicates: 2 * time.Minute}); err != nil {
		return fail(err)
	}
	if _, err := admin.CreateStream(ctx, jetstream.StreamConfig{Name: "OUT", Subjects: []string{"out.>"},
		Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute}); err != nil {
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
	if _, err := w.Consume(func(msg jetstream.Msg) { republish(wjs, msg) }, jetstream.PullMaxMessages(1000)); err != nil {
		return fail(err)
	}
	sys := &system{name: "hop", close: cleanup,
		msg: func(key string, bundle []byte) *nats.Msg {
			m := nats.NewMsg("in." + sender)
			m.Data = bundle
			m.Header.Set(nats.MsgIdHdr, key)
			return m
		}}
	if sys.submit, err = connect(); err != nil {
		return fail(err)
	}
	for _, m := range receivingMembers {
		if _, err := admin.CreateOrUpdateConsumer(ctx, "OUT", jetstream.ConsumerConfig{Durable: "inbox_" + m,
			FilterSubject: "out.>", AckPolicy: jetstream.AckExplicitPolicy, DeliverPolicy: jetstream.DeliverNewPolicy}); err != nil {
			return fail(err)
		}
		js, err := connect()
		if err != nil {
			return fail(err)
		}
		sys.receivers = append(sys.receivers, receiver{member: m, js: js, stream: "OUT", consumer: "inbox_" + m})
	}
	return sys, nil
}

// republish stores the same bytes on OUT with a message id derived from
// the input's, then acks the input once the PubAck came (ack last, as the
// hub does).
func republish(js jetstream.JetStream, msg jetstream.Msg) {
	out := nats.NewMsg("out.green.all." + sender)
	out.Data = msg.Data()
	out.Header.Set(nats.MsgIdHdr, msg.Headers().Get(nats.MsgIdHdr)+"/out")
	f, err := js.PublishMsgAsync(out, jetstream.WithStallWait(time.Minute))
	if err != nil {
		_ = msg.Nak()
		return
	}
	go func() {
		select {
		case <-f.Ok():
			_ = msg.Ack()
		case <-f.Err():
			_ = msg.Nak()
		}
	}()
}
