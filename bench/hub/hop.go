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
// With extraStores 2 ("hop4"), the worker also stores a receipt-sized and
// an audit-sized message per submission (streams RCPT and AUD), as the hub
// does: four stored messages per submission instead of two, and no policy.
// With 1 ("hop3") it stores the receipt only: hop4 − hop3 is what one
// stored audit message per submission costs.
func startHop(dir string, extraStores int) (*system, error) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		return nil, fmt.Errorf("hop: server not ready")
	}
	return hopOn(srv.ClientURL(), 1, extraStores, func() {
		srv.Shutdown()
		srv.WaitForShutdown()
		_ = os.RemoveAll(dir)
	})
}

// hopOn runs the hop against the NATS at url with streams of replicas
// copies; stop stops that NATS.
func hopOn(url string, replicas, extraStores int, stop func()) (*system, error) {
	var conns []*nats.Conn
	cleanup := func() {
		for _, nc := range conns {
			nc.Close()
		}
		stop()
	}
	connect := func() (jetstream.JetStream, error) {
		nc, err := nats.Connect(url)
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
		Storage: jetstream.FileStorage, Retention: jetstream.WorkQueuePolicy, Duplicates: 2 * time.Minute, Replicas: replicas}); err != nil {
		return fail(err)
	}
	if _, err := admin.CreateStream(ctx, jetstream.StreamConfig{Name: "OUT", Subjects: []string{"out.>"},
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
	sys := &system{name: name, close: cleanup,
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
