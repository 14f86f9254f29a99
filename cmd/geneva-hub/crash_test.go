package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// childArgs makes the test binary act as geneva-hub, so the crash test runs
// the real daemon in its own process without a separate build.
const childArgs = "GENEVA_HUB_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		os.Args = append([]string{"geneva-hub"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestCrashLosesNothing submits N bundles from this process while the hub
// process is killed with SIGKILL several times and restarted. At the end
// every submission that got a PubAck has exactly one receipt, its share
// arrived exactly once at each receiver, and the audit chain verifies.
func TestCrashLosesNothing(t *testing.T) {
	n := 10000
	if v := os.Getenv("GENEVA_CRASH_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	const kills = 3
	dir := t.TempDir()
	url := fmt.Sprintf("nats://127.0.0.1:%d", freePort(t))
	var hubProc *exec.Cmd
	start := func() {
		hubProc = exec.Command(os.Args[0], "-test.run=^$")
		hubProc.Env = append(os.Environ(), childArgs+"=--dev --data "+dir+" --nats-listen "+strings.TrimPrefix(url, "nats://")+" --http-listen off")
		hubProc.Stderr = nil
		require.NoError(t, hubProc.Start())
	}
	connect := func(member string, extra ...nats.Option) (*nats.Conn, jetstream.JetStream) {
		var nc *nats.Conn
		hubtest.Eventually(t, 60*time.Second, func() error {
			_, opts, err := hub.MemberOptions(hub.CredsPath(dir, member), nil)
			if err != nil {
				return err
			}
			nc, err = nats.Connect(url, append(opts, extra...)...)
			return err
		})
		js, err := jetstream.New(nc)
		require.NoError(t, err)
		return nc, js
	}
	start()
	t.Cleanup(func() { _ = hubProc.Process.Kill(); _ = hubProc.Wait() })

	bundle, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	nc, js := connect("bank-one", nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	defer nc.Close()

	// Submitters: each submission is retried until it has a PubAck; its
	// Nats-Msg-Id makes a retry of a stored submission harmless.
	var acked atomic.Int64
	var wg sync.WaitGroup
	const senders = 16
	for s := range senders {
		wg.Go(func() {
			for i := s; i < n; i += senders {
				msg := hub.SubmitMsg("bank-one", bundle, hub.SubmitOptions{MsgID: fmt.Sprint("c-", i)})
				for {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					_, err := js.PublishMsg(ctx, msg)
					cancel()
					if err == nil {
						acked.Add(1)
						break
					}
				}
			}
		})
	}
	for k := range kills {
		target := int64((k + 1) * n / (kills + 1))
		hubtest.Eventually(t, 5*time.Minute, func() error {
			if acked.Load() < target {
				return fmt.Errorf("%d of %d submitted", acked.Load(), target)
			}
			return nil
		})
		require.NoError(t, hubProc.Process.Signal(syscall.SIGKILL))
		_ = hubProc.Wait()
		start()
	}
	wg.Wait()
	require.EqualValues(t, n, acked.Load())

	receipts := map[string]int{} // by the sender's Nats-Msg-Id
	submissions := map[string]bool{}
	collect(t, "bank-one", connect, hub.StreamReceipt, hub.ReceiptConsumer("bank-one"), n, func(m jetstream.Msg) string {
		var r hub.Receipt
		require.NoError(t, json.Unmarshal(m.Data(), &r))
		require.Equal(t, "accept", r.Verdict)
		submissions[r.Submission] = true
		return r.MsgID
	}, receipts)
	require.Len(t, submissions, n, "one submission id per submission")
	for _, r := range []string{"le-alpha", "le-bravo", "isp-two", "cert-three"} {
		shares := map[string]int{}
		collect(t, r, connect, hub.StreamShare, hub.InboxConsumer(r), n, func(m jetstream.Msg) string {
			return m.Headers().Get(hub.HeaderSubmission)
		}, shares)
		for id := range submissions {
			require.Equal(t, 1, shares[id], "%s: share of %s", r, id)
		}
	}
	opNC, opJS := connect(hub.OperatorName)
	defer opNC.Close()
	res, err := audit.Verify(context.Background(), opJS, hub.StreamAudit)
	require.NoError(t, err)
	require.Equal(t, uint64(n), res.Records, "one audit record per decision")
	t.Logf("%d submissions, %d SIGKILLs: %d receipts, shares exactly once at 4 receivers, %d audit records verified", n, kills, len(receipts), res.Records)
}

// collect reads member's consumer until want distinct keys arrived, then
// checks that nothing more comes; any key seen twice fails the test.
func collect(t *testing.T, member string, connect func(string, ...nats.Option) (*nats.Conn, jetstream.JetStream),
	stream, consumer string, want int, key func(jetstream.Msg) string, seen map[string]int) {
	t.Helper()
	nc, js := connect(member)
	defer nc.Close()
	c, err := js.Consumer(context.Background(), stream, consumer)
	require.NoError(t, err)
	deadline := time.Now().Add(5 * time.Minute)
	for len(seen) < want {
		require.True(t, time.Now().Before(deadline), "%s: %d of %d after 5 minutes", member, len(seen), want)
		batch, err := c.Fetch(1000, jetstream.FetchMaxWait(2*time.Second))
		require.NoError(t, err)
		for m := range batch.Messages() {
			k := key(m)
			seen[k]++
			require.Equal(t, 1, seen[k], "%s: %s arrived twice", member, k)
			require.NoError(t, m.Ack())
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			t.Fatalf("%s: fetch: %v", member, err)
		}
	}
	batch, err := c.Fetch(1, jetstream.FetchMaxWait(500*time.Millisecond))
	require.NoError(t, err)
	for m := range batch.Messages() {
		t.Fatalf("%s: one more than expected: %s", member, key(m))
	}
}
