package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// hopResult is bench/hub's raw R3 hop (hop-r3: publish → R3 stream → a
// worker republishing → R3 stream → four consumers, on 3 in-process
// nats-servers, nothing capped), run by its own binary in the same run.
type hopResult struct {
	perSecond float64
	p50, p99  time.Duration
}

var (
	hopRate    = regexp.MustCompile(`hop-r3 +idle [0-9.]+ cpu-ms/s; +([0-9.]+) submissions/s`)
	hopLatency = regexp.MustCompile(`at [0-9]+/s: p50 (\S+) p99 (\S+) `)
)

// runHop runs benchHub's hop-r3 once with the same sizes as the hub phases.
func runHop(benchHub string, o options) (hopResult, error) {
	cmd := exec.Command(benchHub, "-sides", "hop-r3", "-runs", "1", "-n", strconv.Itoa(o.n),
		"-rates", strconv.Itoa(o.rate), "-seconds", strconv.Itoa(o.seconds))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return hopResult{}, fmt.Errorf("bench/hub -sides hop-r3: %w\n%s", err, stderr.Bytes())
	}
	var r hopResult
	m := hopRate.FindSubmatch(stderr.Bytes())
	l := hopLatency.FindSubmatch(stderr.Bytes())
	if m == nil || l == nil {
		return r, fmt.Errorf("bench/hub -sides hop-r3: no rate or latency line in its output:\n%s", stderr.Bytes())
	}
	var err error
	if r.perSecond, err = strconv.ParseFloat(string(m[1]), 64); err != nil {
		return r, err
	}
	if r.p50, err = time.ParseDuration(string(l[1])); err != nil {
		return r, err
	}
	r.p99, err = time.ParseDuration(string(l[2]))
	return r, err
}
