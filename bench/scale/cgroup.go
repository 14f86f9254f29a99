package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Cgroup v1 hierarchies: cpu caps a process (CFS quota per period),
// cpuacct counts the CPU it used. Mounted separately on this kind of host.
const (
	cpuRoot     = "/sys/fs/cgroup/cpu"
	cpuacctRoot = "/sys/fs/cgroup/cpuacct"
	cfsPeriod   = 100 * time.Millisecond
)

// cgroup is one capped group in both hierarchies, named the same.
type cgroup struct {
	name string
}

// newCgroup creates name in cpu and cpuacct and caps it to cores of CPU
// time per wall-clock second (0.3: 30 ms of every 100 ms period).
func newCgroup(name string, cores float64) (*cgroup, error) {
	g := &cgroup{name: name}
	for _, root := range []string{cpuRoot, cpuacctRoot} {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			return nil, errors.Join(fmt.Errorf("cgroup %s: %w (needs writable cgroup v1 cpu and cpuacct controllers)", name, err), g.remove())
		}
	}
	quota := int64(cores * float64(cfsPeriod/time.Microsecond))
	if err := g.write(cpuRoot, "cpu.cfs_period_us", int64(cfsPeriod/time.Microsecond)); err != nil {
		return nil, errors.Join(err, g.remove())
	}
	if err := g.write(cpuRoot, "cpu.cfs_quota_us", quota); err != nil {
		return nil, errors.Join(err, g.remove())
	}
	return g, nil
}

func (g *cgroup) write(root, file string, v int64) error {
	path := filepath.Join(root, g.name, file)
	if err := os.WriteFile(path, []byte(strconv.FormatInt(v, 10)), 0o644); err != nil {
		return fmt.Errorf("cgroup: write %d to %s: %w", v, path, err)
	}
	return nil
}

// add moves process pid (all its threads) into the group in both hierarchies.
func (g *cgroup) add(pid int) error {
	for _, root := range []string{cpuRoot, cpuacctRoot} {
		if err := g.write(root, "cgroup.procs", int64(pid)); err != nil {
			return err
		}
	}
	return nil
}

// usage is the CPU time the group's processes used so far.
func (g *cgroup) usage() (time.Duration, error) {
	path := filepath.Join(cpuacctRoot, g.name, "cpuacct.usage")
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return time.Duration(ns), nil
}

// throttled is how many CFS periods the cap held the group back so far.
func (g *cgroup) throttled() (int64, error) {
	path := filepath.Join(cpuRoot, g.name, "cpu.stat")
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "nr_throttled "); ok {
			return strconv.ParseInt(rest, 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no nr_throttled", path)
}

// remove deletes the group from both hierarchies; its processes must have
// exited (a group with members cannot be removed). Missing is fine.
func (g *cgroup) remove() error {
	var errs []error
	for _, root := range []string{cpuRoot, cpuacctRoot} {
		if err := os.Remove(filepath.Join(root, g.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
