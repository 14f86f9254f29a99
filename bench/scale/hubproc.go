package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// hubProc is one geneva-hub OS process in cluster mode, inside its own
// capped cgroup.
type hubProc struct {
	name   string
	id     string // its HeaderDecidedBy, learnt from its NATS connection's name
	group  *cgroup
	cmd    *exec.Cmd
	exited chan struct{}
}

// startHubProc runs bin with cfg in a new cgroup capped to cores and waits
// up to 2 minutes for its /readyz at httpAddr.
func startHubProc(name, bin, cfg, httpAddr, logFile string, cores float64) (*hubProc, error) {
	group, err := newCgroup(name, cores)
	if err != nil {
		return nil, err
	}
	log, err := os.Create(logFile)
	if err != nil {
		_ = group.remove()
		return nil, err
	}
	p := &hubProc{name: name, group: group, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "--config", cfg)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	// Killed with the bench, even when the bench itself is killed.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		log.Close()
		_ = group.remove()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() { _ = p.cmd.Wait(); log.Close(); close(p.exited) }()
	// Moved in before it connects: its start-up is capped too.
	if err := group.add(p.cmd.Process.Pid); err != nil {
		return nil, errors.Join(err, p.stop())
	}
	if err := p.waitReady("http://"+httpAddr+"/readyz", 2*time.Minute); err != nil {
		return nil, errors.Join(fmt.Errorf("%w (see %s)", err, logFile), p.stop())
	}
	return p, nil
}

func (p *hubProc) waitReady(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited while starting", p.name)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not 200 after %v", p.name, url, limit)
		}
		time.Sleep(100 * time.Millisecond) // polling the probe
	}
}

// stop ends the process (SIGTERM, SIGKILL after 15 s) and removes its cgroup.
func (p *hubProc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if err := p.group.remove(); err != nil {
		return errors.Join(fmt.Errorf("%s: cgroup %s left behind", p.name, filepath.Join(cpuRoot, p.group.name)), err)
	}
	return nil
}
