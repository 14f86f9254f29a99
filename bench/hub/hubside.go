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
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// startHub runs the hub in this process with the demo MoU (hub.New + Run,
// embedded server on a random port, HTTP off), its rate quotas out of the
// way: the benchmark offers more than a member's default burst. Its log is formatted as in
// production but written nowhere, so formatting costs and disk does not.
func startHub(dir string, workers int) (*system, error) {
	mou := policy.DemoMoU()
	mou.Quotas = policy.UnthrottledQuota
	h, stop, err := runHub(hub.Config{MoU: mou, DataDir: dir, NATSListen: "127.0.0.1:-1", Workers: workers})
	if err != nil {
		return nil, err
	}
	return members(h.ClientURL(), dir, func() { stop(); _ = os.RemoveAll(dir) })
}

// runHub runs a hub with cfg (HTTP off, log discarded) until stop.
func runHub(cfg hub.Config) (*hub.Hub, func(), error) {
	cfg.HTTPListen, cfg.Logger = "off", slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := hub.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	stop := func() { cancel(); <-done }
	select {
	case <-h.Ready():
		return h, stop, nil
	case err := <-done:
		cancel()
		return nil, nil, fmt.Errorf("hub: %w", err)
	case <-time.After(60 * time.Second):
		stop()
		return nil, nil, fmt.Errorf("hub: not ready after 60s")
	}
}

// members connects the sender and the receiving members to the hub's NATS
// at url with their creds under credsDir; the system's close closes them,
// then calls stop.
func members(url, credsDir string, stop func()) (*system, error) {
	opts := func(member string) ([]nats.Option, error) {
		_, opts, err := wire.MemberOptions(wire.CredsPath(credsDir, member), nil)
		return opts, err
	}
	sys, err := clients(url, opts, func(key string, bundle []byte) *nats.Msg {
		return wire.SubmitMsg(sender, bundle, wire.SubmitOptions{MsgID: key})
	}, stop)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	sys.name = "hub"
	return sys, nil
}

// clients connects the sender and each receiving member to url, each with
// opts(member) on a connection of its own, the receivers to their inbox
// consumers on the share stream; msg is the sender's intake message. The
// system's close closes them, then calls stop; so does a failure.
func clients(url string, opts func(member string) ([]nats.Option, error), msg func(key string, bundle []byte) *nats.Msg, stop func()) (*system, error) {
	var conns []*nats.Conn
	cleanup := func() {
		for _, nc := range conns {
			nc.Close()
		}
		stop()
	}
	fail := func(err error) (*system, error) { cleanup(); return nil, err }
	connect := func(member string) (jetstream.JetStream, error) {
		o, err := opts(member)
		if err != nil {
			return nil, err
		}
		nc, err := nats.Connect(url, o...)
		if err != nil {
			return nil, err
		}
		conns = append(conns, nc)
		return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(asyncWindow))
	}
	sys := &system{close: cleanup, msg: msg}
	var err error
	if sys.submit, err = connect(sender); err != nil {
		return fail(err)
	}
	for _, m := range receivingMembers {
		js, err := connect(m)
		if err != nil {
			return fail(err)
		}
		sys.receivers = append(sys.receivers, receiver{member: m, js: js, stream: wire.StreamShare, consumer: wire.InboxConsumer(m)})
	}
	return sys, nil
}
