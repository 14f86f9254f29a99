package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/policy"
)

// startHub runs the hub in this process with the demo MoU (hub.New + Run,
// embedded server on a random port, HTTP off), its rate quotas out of the
// way: the benchmark offers more than a member's default burst. Its log is formatted as in
// production but written nowhere, so formatting costs and disk does not.
func startHub(dir string, workers int) (*system, error) {
	mou := policy.DemoMoU()
	mou.Quotas = policy.UnthrottledQuota
	h, err := hub.New(hub.Config{MoU: mou, DataDir: dir, NATSListen: "127.0.0.1:-1", HTTPListen: "off",
		Workers: workers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	var conns []*nats.Conn
	cleanup := func() {
		for _, nc := range conns {
			nc.Close()
		}
		cancel()
		<-done
		_ = os.RemoveAll(dir)
	}
	select {
	case <-h.Ready():
	case err := <-done:
		cancel()
		return nil, fmt.Errorf("hub: %w", err)
	case <-time.After(30 * time.Second):
		cleanup()
		return nil, fmt.Errorf("hub: not ready after 30s")
	}
	fail := func(err error) (*system, error) { cleanup(); return nil, fmt.Errorf("hub: %w", err) }
	connect := func(member string) (jetstream.JetStream, error) {
		_, opts, err := hub.MemberOptions(hub.CredsPath(dir, member), nil)
		if err != nil {
			return nil, err
		}
		nc, err := nats.Connect(h.ClientURL(), opts...)
		if err != nil {
			return nil, err
		}
		conns = append(conns, nc)
		return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(asyncWindow))
	}
	sys := &system{name: "hub", close: cleanup,
		msg: func(key string, bundle []byte) *nats.Msg {
			return hub.SubmitMsg(sender, bundle, hub.SubmitOptions{MsgID: key})
		}}
	if sys.submit, err = connect(sender); err != nil {
		return fail(err)
	}
	for _, m := range receivingMembers {
		js, err := connect(m)
		if err != nil {
			return fail(err)
		}
		sys.receivers = append(sys.receivers, receiver{member: m, js: js, stream: hub.StreamShare, consumer: hub.InboxConsumer(m)})
	}
	return sys, nil
}
