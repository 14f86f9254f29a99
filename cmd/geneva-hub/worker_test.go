package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// workerProcess is `geneva-hub worker --config FILE` in a process of its own.
type workerProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan error
}

func startWorkerProcess(t *testing.T, file, httpAddr string) *workerProcess {
	t.Helper()
	p := &workerProcess{stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), childArgs+"=worker --config "+file)
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		if t.Failed() {
			t.Log(p.stderr.String())
		}
	})
	hubtest.Eventually(t, 30*time.Second, func() error {
		if code, body := get(httpAddr, "/readyz"); code != http.StatusOK {
			return fmt.Errorf("/readyz: %d %s", code, body)
		}
		return nil
	})
	return p
}

// TestWorkerNodeProcess runs a worker node as its own process for a hub
// that leaves every decision to nodes, kills it with SIGKILL while
// submissions flow, starts it again, and checks that every submission was
// decided exactly once: one receipt each, one share each at a receiver,
// and an audit chain that verifies. Then SIGTERM stops it cleanly.
func TestWorkerNodeProcess(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.WorkerNodesOnly = true }))
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	file := writeFile(t, fmt.Sprintf("nats_url: %s\ncreds: %s\nhttp_listen: %s\nworkers: 8\n",
		h.ClientURL(), wire.CredsPath(h.Dir, wire.OperatorName), httpAddr))
	var stderr bytes.Buffer
	require.ErrorAs(t, run(context.Background(), []string{"worker"}, &stderr), new(usageError))
	stderr.Reset()
	require.ErrorIs(t, run(context.Background(), []string{"-h"}, &stderr), flag.ErrHelp)
	require.Contains(t, stderr.String(), "geneva-hub worker --config FILE", "the help names every mode")

	bundle, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	sender, receiver := h.Member(t, "cert-three"), h.Member(t, "le-alpha")
	const n = 400
	submit := func(from, to int) error {
		for i := from; i < to; i++ {
			msg := wire.SubmitMsg("cert-three", bundle, wire.SubmitOptions{MsgID: fmt.Sprint("node-process-", i)})
			if _, err := sender.JS.PublishMsg(context.Background(), msg); err != nil {
				return err
			}
		}
		return nil
	}

	node := startWorkerProcess(t, file, httpAddr)
	submitted := make(chan error, 1)
	go func() { submitted <- submit(0, n/2) }() // the kill below lands while submissions flow
	decided := regexp.MustCompile(`(?m)^geneva_submissions_total\{verdict="accept"\} [1-9]`)
	hubtest.Eventually(t, 10*time.Second, func() error { // mid-flow: some decided, not all
		if code, body := get(httpAddr, "/metrics"); code != http.StatusOK || !decided.MatchString(body) {
			return fmt.Errorf("no decision yet: %d", code)
		}
		return nil
	})
	require.NoError(t, node.cmd.Process.Signal(syscall.SIGKILL))
	<-node.exited
	require.NoError(t, <-submitted)
	require.NoError(t, submit(n/2, n))
	node = startWorkerProcess(t, file, httpAddr)

	receipts := map[string]bool{}
	for range n {
		// Submissions the killed node had pulled come back after the ack wait (30 s).
		msg, ok := sender.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("cert-three"), 45*time.Second)
		require.True(t, ok, "a receipt for every submission (%d so far)", len(receipts))
		id := msg.Headers().Get(wire.HeaderSubmission)
		require.False(t, receipts[id], "one receipt per submission")
		receipts[id] = true
	}
	_, extra := sender.Next(t, wire.StreamReceipt, wire.ReceiptConsumer("cert-three"), 500*time.Millisecond)
	require.False(t, extra, "no receipt beyond one per submission")
	shares := map[string]bool{}
	for _, m := range receiver.Available(t, wire.StreamShare, wire.InboxConsumer("le-alpha")) {
		id := m.Headers().Get(wire.HeaderSubmission)
		require.False(t, shares[id], "one share per submission at a receiver")
		shares[id] = true
	}
	require.Equal(t, receipts, shares, "the receiver got what was decided, once")

	op := h.Member(t, wire.OperatorName)
	// The audit record follows the receipt's PubAck: a submission whose node
	// died in between has its receipt but gets its record when it is
	// redelivered after the ack wait (30 s) and decided again.
	hubtest.Eventually(t, 45*time.Second, func() error {
		res, err := audit.Verify(context.Background(), op.JS, wire.StreamAudit)
		if err != nil || res.Records != n {
			return fmt.Errorf("audit: %d records (want one per submission, %d): %v", res.Records, n, err)
		}
		return nil
	})

	require.NoError(t, node.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-node.exited:
		require.NoError(t, err, "exit status after SIGTERM")
	case <-time.After(15 * time.Second):
		t.Fatal("no clean stop within 15s of SIGTERM")
	}
	require.Contains(t, node.stderr.String(), "worker node stopping")
}
