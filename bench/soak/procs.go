package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/genevahub/geneva/internal/pprofserve"
)

// proc is one real process of the soak, started again in place after
// every kill: same binary, arguments, ports and data.
type proc struct {
	name   string
	argv   []string
	probe  string // http URL that answers 200 once it serves
	logDir string
	pprof  string // loopback address of its profiles (-profiles), or ""
	starts int
	cmd    *exec.Cmd
	exited chan struct{}
}

func (p *proc) start() error {
	p.starts++
	log, err := os.Create(filepath.Join(p.logDir, fmt.Sprintf("%s-%d.log", p.name, p.starts)))
	if err != nil {
		return err
	}
	p.cmd = exec.Command(p.argv[0], p.argv[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if p.pprof != "" {
		p.cmd.Env = append(os.Environ(), pprofserve.Env+"="+p.pprof)
	}
	if err := p.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); log.Close(); close(exited) }(p.cmd, p.exited)
	return p.waitReady(2 * time.Minute)
}

// waitReady polls the probe until it answers 200, up to limit.
func (p *proc) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited while starting (see %s-%d.log)", p.name, p.name, p.starts)
		default:
		}
		if resp, err := http.Get(p.probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not 200 after %v", p.name, p.probe, limit)
		}
		time.Sleep(100 * time.Millisecond) // polling the probe
	}
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process gracefully (SIGTERM), killing it after 15s.
func (p *proc) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// usage is a process's resident memory and open files, from /proc.
type usage struct {
	rssKB int
	fds   int
}

func sample(pid int) usage {
	var u usage
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				u.rssKB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			}
		}
	}
	if entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		u.fds = len(entries)
	}
	return u
}

// saveHeap writes the process's heap profile (after a GC) to file, for
// go tool pprof -diff_base between two samples.
func (p *proc) saveHeap(file string) error {
	resp, err := http.Get("http://" + p.pprof + "/debug/pprof/heap?gc=1")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s heap profile: %s", p.name, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
