package crashtest_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/hubtest"
)

// hubProcess is geneva-hub --dev running in its own process on a fixed data
// dir and fixed ports, so it can be killed and started again in place.
type hubProcess struct {
	bin, dir, natsAddr, httpAddr string
	cmd                          *exec.Cmd
	starts                       int
}

func (h *hubProcess) url() string { return "nats://" + h.natsAddr }

// startHubProcess runs the geneva-hub binary bin on dir with free ports,
// waits until it is ready, and stops it (showing its log on failure) when
// the test ends.
func startHubProcess(t *testing.T, bin, dir string) *hubProcess {
	t.Helper()
	natsAddr, err := crashtest.FreeAddr()
	require.NoError(t, err)
	httpAddr, err := crashtest.FreeAddr()
	require.NoError(t, err)
	h := &hubProcess{bin: bin, dir: dir, natsAddr: natsAddr, httpAddr: httpAddr}
	h.start(t)
	t.Cleanup(h.stop)
	t.Cleanup(func() { h.logTails(t) })
	h.waitReady(t)
	return h
}

// start runs the hub; its log goes to DIR/hub-<n>.log.
func (h *hubProcess) start(t *testing.T) {
	t.Helper()
	h.starts++
	logf, err := os.Create(filepath.Join(h.dir, fmt.Sprintf("hub-%d.log", h.starts)))
	require.NoError(t, err)
	defer logf.Close()
	h.cmd = exec.Command(h.bin, "--dev", "--data", filepath.Join(h.dir, "data"),
		"--nats-listen", h.natsAddr, "--http-listen", h.httpAddr)
	h.cmd.Stdout, h.cmd.Stderr = logf, logf
	require.NoError(t, h.cmd.Start())
}

// waitReady waits until /readyz answers 200.
func (h *hubProcess) waitReady(t *testing.T) {
	t.Helper()
	hubtest.Eventually(t, 60*time.Second, func() error {
		resp, err := http.Get("http://" + h.httpAddr + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %s", resp.Status)
		}
		return nil
	})
}

// kill sends SIGKILL and reaps the process.
func (h *hubProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, h.cmd.Process.Signal(syscall.SIGKILL))
	_ = h.cmd.Wait()
}

// logTails shows the end of every hub log when the test failed.
func (h *hubProcess) logTails(t *testing.T) {
	if !t.Failed() {
		return
	}
	for i := 1; i <= h.starts; i++ {
		data, err := os.ReadFile(filepath.Join(h.dir, fmt.Sprintf("hub-%d.log", i)))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		t.Logf("hub start %d, last lines of its log:\n%s", i, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
}

// logSummary counts the hub's WARN and ERROR lines over every start, by
// message, so the test output shows what the crashes cost the hub.
func (h *hubProcess) logSummary() string {
	counts := map[string]int{}
	for i := 1; i <= h.starts; i++ {
		data, _ := os.ReadFile(filepath.Join(h.dir, fmt.Sprintf("hub-%d.log", i)))
		for line := range strings.SplitSeq(string(data), "\n") {
			for _, level := range []string{"level=WARN", "level=ERROR"} {
				if !strings.Contains(line, level) {
					continue
				}
				msg := line
				if _, rest, ok := strings.Cut(line, "msg="); ok {
					if strings.HasPrefix(rest, `"`) {
						msg, _, _ = strings.Cut(rest[1:], `"`)
					} else {
						msg, _, _ = strings.Cut(rest, " ")
					}
				}
				counts[level+" "+msg]++
			}
		}
	}
	if len(counts) == 0 {
		return "no WARN or ERROR lines"
	}
	var out []string
	for k, n := range counts {
		out = append(out, fmt.Sprintf("%s ×%d", k, n))
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

func (h *hubProcess) stop() {
	if h.cmd != nil && h.cmd.ProcessState == nil {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = h.cmd.Process.Kill()
			<-done
		}
	}
}
