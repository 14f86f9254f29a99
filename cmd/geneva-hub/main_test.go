package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
)

func TestConfigErrorsAreReportedAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hub.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
nats_listen: nowhere
max_payload: 10
retention: 5m
colour: blue
tls:
  verify_clients: true
`), 0o600))
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"--config", file}, &stderr)
	require.Error(t, err)
	for _, want := range []string{"colour", "nats_listen", "max_payload", "retention", "tls.ca_file", "mou_file: required"} {
		require.Contains(t, err.Error(), want)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		require.Regexp(t, `^`+regexp.QuoteMeta(file)+`:(\d+:)? `, line, "every line names the file and line")
	}
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	for _, args := range [][]string{{}, {"--dev", "--config", "x.yaml"}, {"--bogus"}, {"--dev", "extra"}, {"bogus"}, {"archive", "extra"}, {"worker"}} {
		err := run(context.Background(), args, &stderr)
		require.ErrorAs(t, err, new(usageError), "%v", args)
	}
}

func TestDevRunsAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--dev", "--data", dir, "--nats-listen", "127.0.0.1:-1", "--http-listen", "127.0.0.1:0"}, &stderr)
	}()
	hubtest.Eventually(t, 30*time.Second, func() error {
		if !strings.Contains(stderr.String(), "geneva hub ready") {
			return errors.New("no banner yet")
		}
		return nil
	})
	for _, m := range []string{"le-alpha", "le-bravo", "bank-one", "isp-two", "cert-three", "operator"} {
		require.FileExists(t, filepath.Join(dir, "creds", m+".creds"))
		require.Contains(t, stderr.String(), filepath.Join(dir, "creds", m+".creds"), "the banner says how to connect")
	}
	cancel() // what SIGTERM does
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("no clean stop within 30s")
	}
	require.Contains(t, stderr.String(), "hub stopped")
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
