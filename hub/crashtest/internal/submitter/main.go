// Command submitter is the crash test's client: it submits one-indicator
// GREEN bundles as one member, retrying each until it has a PubAck (with
// the same Nats-Msg-Id every time), and prints one line per PubAck:
//
//	ack <msg-id> <intake-seq> <duplicate:true|false>
//
// then "done <count>". It reconnects for ever, so the hub may be killed and
// restarted under it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "submitter: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	url := flag.String("url", "", "NATS URL of the hub")
	creds := flag.String("creds", "", "the member's creds file")
	n := flag.Int("n", 1000, "submissions to make")
	prefix := flag.String("prefix", "s", "message ids are PREFIX-<i>")
	parallel := flag.Int("parallel", 32, "submissions in flight")
	timeout := flag.Duration("timeout", 2*time.Second, "wait for a PubAck before retrying")
	flag.Parse()

	member, opts, err := wire.MemberOptions(*creds, nil)
	if err != nil {
		return err
	}
	opts = append(opts, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond),
		nats.RetryOnFailedConnect(true), nats.ReconnectBufSize(-1))
	nc, err := nats.Connect(*url, opts...)
	if err != nil {
		return fmt.Errorf("connect as %s: %w", member, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}

	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var retries atomic.Int64
	var wg sync.WaitGroup
	for g := range *parallel {
		wg.Go(func() {
			for i := g; i < *n; i += *parallel {
				id := fmt.Sprintf("%s-%d", *prefix, i)
				msg := wire.SubmitMsg(member, crashtest.GreenBundle(id), wire.SubmitOptions{MsgID: id})
				ack := submit(js, msg, *timeout, &retries)
				mu.Lock()
				fmt.Fprintf(out, "ack %s %d %t\n", id, ack.Sequence, ack.Duplicate)
				_ = out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(out, "done %d\n", *n)
	fmt.Fprintf(os.Stderr, "submitter %s: %d submissions, %d retries\n", member, *n, retries.Load())
	return out.Flush()
}

// submit publishes msg until the hub acknowledges it. A retry carries the
// same Nats-Msg-Id, so a copy stored before a crash is not stored twice.
func submit(js jetstream.JetStream, msg *nats.Msg, timeout time.Duration, retries *atomic.Int64) *jetstream.PubAck {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		ack, err := js.PublishMsg(ctx, msg)
		cancel()
		if err == nil {
			return ack
		}
		retries.Add(1)
		time.Sleep(20 * time.Millisecond) // back off while the hub restarts
	}
}
