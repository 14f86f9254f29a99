package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "archive.yaml")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
	return file
}

// Bad bridge settings: every problem at once, each with file and line;
// then the problems only a connection finds, each in one clear line.
func TestArchiveConfigErrors(t *testing.T) {
	h := hubtest.StartHub(t)
	var stderr bytes.Buffer
	require.ErrorAs(t, run(context.Background(), []string{"archive"}, &stderr), new(usageError))

	file := writeFile(t, `
http_listen: everywhere
archive:
  objects_topic:
    partitions: -1
  compression: brotli
`)
	err := run(context.Background(), []string{"archive", "--config", file}, &stderr)
	require.Error(t, err)
	for _, want := range []string{": nats_url: required", ": creds: required", ":2: http_listen:",
		":3: archive.brokers: required", ":5: archive.objects_topic.partitions", ":6: archive.compression: \"brotli\""} {
		require.Contains(t, err.Error(), file+want)
	}

	memberCreds := wire.CredsPath(h.Dir, "bank-one")
	file = writeFile(t, fmt.Sprintf("nats_url: %s\ncreds: %s\narchive:\n  brokers: [127.0.0.1:9]\n", h.ClientURL(), memberCreds))
	err = run(context.Background(), []string{"archive", "--config", file}, &stderr)
	require.ErrorContains(t, err, file+":2: creds: "+memberCreds+` are member "bank-one"'s`)

	dead := "nats://127.0.0.1:" + fmt.Sprint(freePort(t))
	file = writeFile(t, fmt.Sprintf("nats_url: %s\ncreds: %s\narchive:\n  brokers: [127.0.0.1:9]\n", dead, wire.CredsPath(h.Dir, wire.OperatorName)))
	err = run(context.Background(), []string{"archive", "--config", file}, &stderr)
	require.ErrorContains(t, err, "nats_url "+dead+": ")
}

// TestArchiveSubcommand runs `geneva-hub archive --config FILE` as its own
// process against a running hub and a real Kafka broker: what a member
// shares reaches the objects topic once, /healthz and /metrics answer,
// /healthz turns 503 when the hub goes away, and SIGTERM stops it cleanly.
func TestArchiveSubcommand(t *testing.T) {
	broker := kafkatest.Start(t)
	h := hubtest.StartHub(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	topic := "standalone-objects"
	file := writeFile(t, fmt.Sprintf(`nats_url: %s
creds: %s
http_listen: %s
archive:
  brokers: [%s]
  objects_topic: {name: %s, partitions: 2, replication: 1}
  audit_topic: {name: standalone-audit, replication: 1}
  retention_check: 100ms
`, h.ClientURL(), wire.CredsPath(h.Dir, wire.OperatorName), httpAddr, broker.Addr, topic))

	var stderr lockedBuffer
	proc := exec.Command(os.Args[0], "-test.run=^$")
	proc.Env = append(os.Environ(), childArgs+"=archive --config "+file)
	proc.Stderr = &stderr
	require.NoError(t, proc.Start())
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	t.Cleanup(func() {
		_ = proc.Process.Kill()
		if t.Failed() {
			t.Log(stderr.String())
		}
	})

	hubtest.Eventually(t, 30*time.Second, func() error {
		if code, body := get(httpAddr, "/healthz"); code != http.StatusOK {
			return fmt.Errorf("/healthz: %d %s", code, body)
		}
		return nil
	})
	bundle, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	sender := h.Member(t, "cert-three")
	sender.Submit(t, bundle, wire.SubmitOptions{})
	r := sender.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, r.Verdict)

	written := regexp.MustCompile(`(?m)^geneva_archive_records_total\{topic="` + topic + `"\} 1$`)
	hubtest.Eventually(t, 30*time.Second, func() error {
		if _, text := get(httpAddr, "/metrics"); !written.MatchString(text) {
			return fmt.Errorf("/metrics: no record written to %s yet", topic)
		}
		return nil
	})
	records := kafkatest.KcatConsume(t, broker.Addr, topic)
	require.Len(t, records, 1, "the indicator, once (the TLP marking is left out)")
	var indicator string
	for _, o := range r.Objects {
		if o.Type == "indicator" {
			indicator = o.ID
		}
	}
	require.Equal(t, indicator, *records[0].Key)
	require.Equal(t, "cert-three", records[0].Headers["geneva-sender"])
	require.Equal(t, r.Submission, records[0].Headers["geneva-submission"])
	require.Equal(t, "green", records[0].Headers["geneva-tlp"])

	// The hub goes away: /healthz says the bridge lost NATS.
	require.NoError(t, h.Stop())
	hubtest.Eventually(t, 10*time.Second, func() error {
		if code, body := get(httpAddr, "/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not connected to NATS") {
			return fmt.Errorf("/healthz: %d %s", code, body)
		}
		return nil
	})

	require.NoError(t, proc.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status after SIGTERM")
	case <-time.After(15 * time.Second):
		t.Fatal("no clean stop within 15s of SIGTERM")
	}
	require.Contains(t, stderr.String(), "archive bridge stopped")
}

func get(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
