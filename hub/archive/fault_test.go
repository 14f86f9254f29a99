package archive_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// bridgeProcess is the bridge running as its own OS process.
type bridgeProcess struct {
	bin  string
	args []string
	cmd  *exec.Cmd
	log  bytes.Buffer
	mu   sync.Mutex
}

func buildBridge(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "geneva-archive-test")
	out, err := exec.Command("go", "build", "-o", bin, "./internal/geneva-archive-test").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func (p *bridgeProcess) start(t testing.TB) {
	t.Helper()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout = &lockedWriter{&p.mu, &p.log}
	p.cmd.Stderr = p.cmd.Stdout
	require.NoError(t, p.cmd.Start())
}

func (p *bridgeProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func (p *bridgeProcess) stop(t testing.TB) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	require.NoError(t, p.cmd.Wait(), "bridge log:\n%s", p.logs())
}

func (p *bridgeProcess) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// publishFlow publishes parts (1 to 8 objects) and audit records until n
// parts are out, pausing between them so that faults land mid-flow.
func publishFlow(ctx context.Context, t testing.TB, nh *natsHub, pub *published, run string, n int, pause time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			pub.publishPart(ctx, t, nh.js, run, i, 1+(i*7)%8)
			pub.publishAudit(ctx, t, nh.js, run, i)
			time.Sleep(pause)
		}
	}()
	return done
}

// waitTopic polls the topic with kcat until it holds want records.
func waitTopic(t testing.TB, addr, topic string, want int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := len(kafkatest.KcatConsume(t, addr, topic))
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s holds %d of %d records after %s", topic, got, want, limit)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// The bridge is SIGKILLed and restarted again and again while parts flow;
// afterwards every non-RED object is in Kafka exactly once.
func TestBridgeSurvivesSIGKILL(t *testing.T) {
	broker := kafkatest.Shared(t)
	nh := startNATS(t)
	ctx := context.Background()
	run := "kill"
	p := &bridgeProcess{bin: buildBridge(t), args: []string{
		"-nats", nh.srv.ClientURL(), "-brokers", broker.Addr,
		"-objects-topic", run + ".objects", "-audit-topic", run + ".audit", "-partitions", "5", "-batch-size", "40",
	}}
	pub := newPublished()
	p.start(t)
	flow := publishFlow(ctx, t, nh, pub, run, 1500, time.Millisecond)
	kills := 0
	for running := true; running; {
		select {
		case <-flow:
			running = false
		case <-time.After(time.Duration(300+kills*97%400) * time.Millisecond):
			p.kill()
			kills++
			p.start(t)
		}
	}
	// Two more kills after the flow ended, while the backlog drains.
	for range 2 {
		time.Sleep(150 * time.Millisecond)
		p.kill()
		kills++
		p.start(t)
	}
	t.Logf("killed the bridge %d times; %d objects and %d audit records expected", kills, len(pub.objects), len(pub.audit))
	require.GreaterOrEqual(t, kills, 4)
	waitTopic(t, broker.Addr, run+".objects", len(pub.objects), 90*time.Second)
	waitTopic(t, broker.Addr, run+".audit", len(pub.audit), 30*time.Second)
	time.Sleep(time.Second) // anything extra would show up now
	p.stop(t)
	pub.checkObjects(t, broker.Addr, run+".objects")
	pub.checkAudit(t, broker.Addr, run+".audit")
	require.True(t, strings.Contains(p.logs(), "resuming"), "bridge log:\n%s", p.logs())
}

// Kafka is stopped (SIGTERM), restarted, then killed (SIGKILL) and
// restarted while parts flow; the bridge waits, JetStream holds the
// backlog, and afterwards every non-RED object is in Kafka exactly once.
func TestBridgeSurvivesKafkaRestarts(t *testing.T) {
	broker := kafkatest.Start(t)
	nh := startNATS(t)
	ctx := context.Background()
	run := "restart"
	p := &bridgeProcess{bin: buildBridge(t), args: []string{
		"-nats", nh.srv.ClientURL(), "-brokers", broker.Addr,
		"-objects-topic", run + ".objects", "-audit-topic", run + ".audit", "-partitions", "3", "-batch-size", "100",
	}}
	pub := newPublished()
	p.start(t)
	flow := publishFlow(ctx, t, nh, pub, run, 1200, 2*time.Millisecond)

	began := time.Now()
	step := func(what string, f func() error) {
		require.NoError(t, f(), what)
		t.Logf("%6.1fs %s", time.Since(began).Seconds(), what)
	}
	sleep := func(d time.Duration) func() error { return func() error { time.Sleep(d); return nil } }
	step("flowing", sleep(time.Second))
	step("kafka stopped (SIGTERM)", broker.Stop)
	step("parts kept flowing into JetStream", sleep(2*time.Second))
	step("kafka restarted", broker.Restart)
	step("flowing", sleep(time.Second))
	step("kafka killed (SIGKILL)", broker.Kill)
	step("parts kept flowing into JetStream", sleep(time.Second))
	step("kafka restarted", broker.Restart)
	<-flow
	t.Logf("%6.1fs all %d parts published", time.Since(began).Seconds(), 1200)

	waitTopic(t, broker.Addr, run+".objects", len(pub.objects), 120*time.Second)
	waitTopic(t, broker.Addr, run+".audit", len(pub.audit), 30*time.Second)
	t.Logf("%6.1fs all records in Kafka", time.Since(began).Seconds())
	time.Sleep(time.Second)
	p.stop(t)
	pub.checkObjects(t, broker.Addr, run+".objects")
	pub.checkAudit(t, broker.Addr, run+".audit")
	require.Contains(t, p.logs(), "kafka write failed", "Kafka restarts went unnoticed")
}
