package taxii_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genevahub/geneva/schemas/stixtest"
)

const collection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"

// medallionOutput collects the server's output for failure messages.
type medallionOutput struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (o *medallionOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *medallionOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// startMedallion runs the OASIS reference TAXII 2.1 server (memory
// backend, one read-write collection) on a free port and returns the API
// root URL. It stops when the test ends.
func startMedallion(t *testing.T) string {
	t.Helper()
	python := stixtest.Peer(t, "GENEVA_PYTHON")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	dir := t.TempDir()
	data := map[string]any{
		"/discovery": map[string]any{"title": "geneva test", "default": base + "/api1/", "api_roots": []string{base + "/api1/"}},
		"api1": map[string]any{
			"information": map[string]any{"title": "api1", "versions": []string{"application/taxii+json;version=2.1"},
				"max_content_length": 9765625},
			"status": []any{},
			"collections": []any{map[string]any{"id": collection, "title": "geneva", "can_read": true, "can_write": true,
				"media_types": []string{"application/stix+json;version=2.1"}, "objects": []any{}, "manifest": []any{}}},
		},
	}
	dataFile := filepath.Join(dir, "data.json")
	writeJSON(t, dataFile, data)
	configFile := filepath.Join(dir, "config.json")
	writeJSON(t, configFile, map[string]any{
		"backend": map[string]any{"module_class": "MemoryBackend", "module": "medallion.backends.memory_backend", "filename": dataFile},
		"users":   map[string]string{"geneva": "s3cret"},
		"taxii":   map[string]any{"max_page_size": 100},
	})
	out := &medallionOutput{}
	cmd := exec.Command(python, "-m", "medallion.scripts.run", "--host", "127.0.0.1", "--port", fmt.Sprint(port), configFile)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start medallion: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/taxii2/", nil)
		req.SetBasicAuth("geneva", "s3cret")
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base + "/api1/"
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("medallion exited: %v\n%s", err, out)
		case <-time.After(100 * time.Millisecond): // polling until the server listens
		}
		if time.Now().After(deadline) {
			t.Fatalf("medallion not answering after 30s:\n%s", out)
		}
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
