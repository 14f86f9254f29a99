package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/taxii"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// startHub runs a hub in this process on a temporary directory.
func startHub() (*server, error) {
	dir, err := os.MkdirTemp("", "bench-taxii-hub-")
	if err != nil {
		return nil, err
	}
	h, err := hub.New(hub.Config{DataDir: dir, NATSListen: "127.0.0.1:-1", HTTPListen: "127.0.0.1:0", MoU: policy.DemoMoU(),
		TAXII: taxiiLimits})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	stop := func() { cancel(); <-done; _ = os.RemoveAll(dir) }
	select {
	case <-h.Ready():
	case err := <-done:
		return nil, err
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("hub not ready after 30s")
	}
	sender, err := hubToken(h, "bank-one")
	if err != nil {
		stop()
		return nil, err
	}
	reader, err := hubToken(h, "le-alpha")
	if err != nil {
		stop()
		return nil, err
	}
	base := "http://" + h.HTTPAddr() + "/taxii2/"
	s := &server{name: "geneva hub", post: base + "bank-one/collections/submit/", poll: base + "le-alpha/collections/inbox/", root: base + "bank-one/", cpu: selfCPU,
		postAuth: bearer(sender), pollAuth: bearer(reader), maxPage: 100, stop: stop, hub: h}
	s.visible = func(ctx context.Context, n int) error { return waitVisible(ctx, s, n) }
	return s, nil
}

// taxiiLimits lift the per-member rate limit out of the way of the
// measurement.
var taxiiLimits = taxii.Limits{RequestsPerSecond: 1e6, BytesPerSecond: 1 << 40}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// hubToken creates a TAXII token for member through the operator's service.
func hubToken(h *hub.Hub, member string) (string, error) {
	_, opts, err := wire.MemberOptions(wire.CredsPath(h.DataDir(), wire.OperatorName), nil)
	if err != nil {
		return "", err
	}
	nc, err := nats.Connect(h.ClientURL(), opts...)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	data, _ := json.Marshal(hub.TokenRequest{Action: "create", Member: member})
	msg, err := nc.Request(hub.SubjectTokenService, data, 10*time.Second)
	if err != nil {
		return "", err
	}
	var r hub.TokenReply
	if err := json.Unmarshal(msg.Data, &r); err != nil || r.Error != "" {
		return "", fmt.Errorf("token for %s: %v %s", member, err, r.Error)
	}
	return r.Token, nil
}

// waitVisible polls until the polled collection holds n objects.
func waitVisible(ctx context.Context, s *server, n int) error {
	for {
		have, err := pollAll(s)
		if err != nil {
			return err
		}
		if have >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %d of %d objects visible", s.name, have, n)
		case <-time.After(100 * time.Millisecond): // polling, as a client would
		}
	}
}

const medallionCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"

// startMedallion runs medallion's memory backend with one read-write
// collection on a free port.
func startMedallion(python string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "bench-taxii-medallion-")
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	data := map[string]any{
		"/discovery": map[string]any{"title": "bench", "default": base + "/api1/", "api_roots": []string{base + "/api1/"}},
		"api1": map[string]any{
			"information": map[string]any{"title": "api1", "versions": []string{media}, "max_content_length": 104857600},
			"status":      []any{},
			"collections": []any{map[string]any{"id": medallionCollection, "title": "bench", "can_read": true, "can_write": true,
				"media_types": []string{"application/stix+json;version=2.1"}, "objects": []any{}, "manifest": []any{}}},
		},
	}
	if err := writeJSON(filepath.Join(dir, "data.json"), data); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, "config.json"), map[string]any{
		"backend": map[string]any{"module_class": "MemoryBackend", "module": "medallion.backends.memory_backend", "filename": filepath.Join(dir, "data.json")},
		"users":   map[string]string{"bench": "s3cret"},
		"taxii":   map[string]any{"max_page_size": 100},
	}); err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "-m", "medallion.scripts.run", "--host", "127.0.0.1", "--port", fmt.Sprint(port), filepath.Join(dir, "config.json"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = os.RemoveAll(dir) }
	auth := func(r *http.Request) { r.SetBasicAuth("bench", "s3cret") }
	coll := base + "/api1/collections/" + medallionCollection + "/"
	s := &server{name: "medallion 3.0.0", post: coll, poll: coll, root: base + "/api1/", cpu: func() time.Duration { return processCPU(cmd.Process.Pid) }, postAuth: auth, pollAuth: auth, maxPage: 100, stop: stop,
		visible: func(context.Context, int) error { return nil }} // medallion adds synchronously
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/taxii2/", nil)
		if _, err := do(req, auth); err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("medallion not answering after 30s")
		}
		time.Sleep(100 * time.Millisecond) // polling until it listens
	}
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// selfCPU is this process's CPU time (user and system).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is process pid's CPU time from /proc (Linux), in clock
// ticks of 10 ms; 0 if it cannot be read.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: state is the 3rd
	// field of stat, utime and stime the 14th and 15th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
