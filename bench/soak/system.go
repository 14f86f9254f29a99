package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
)

// system is the soak's processes, each on its own fixed ports so it can be
// killed and started again in place.
type system struct {
	natsURL, dataDir, sinkDir string
	profiles                  string // where heap profiles go (-profiles), or ""
	hub, worker, bridge       *proc
	connector                 *proc
	objectsTopic, brokerAddr  string
}

func newSystem(work, hubBin, connectorBin, brokerAddr, profiles string, retention time.Duration) (*system, error) {
	addrs := make([]string, 7)
	for i := range addrs {
		a, err := crashtest.FreeAddr()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	natsAddr, hubHTTP, workerHTTP, bridgeHTTP, connHTTP := addrs[0], addrs[1], addrs[2], addrs[3], addrs[4]
	s := &system{natsURL: "nats://" + natsAddr, dataDir: filepath.Join(work, "hub"), sinkDir: filepath.Join(work, "sink"),
		objectsTopic: "soak-objects", brokerAddr: brokerAddr, profiles: profiles}
	mou, err := demoMoUFile(work)
	if err != nil {
		return nil, err
	}
	logs := filepath.Join(work, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	operator := wire.CredsPath(s.dataDir, wire.OperatorName)
	hubYAML := fmt.Sprintf("data_dir: %s\nnats_listen: %s\nhttp_listen: %s\nmou_file: %s\nworkers: 4\n", s.dataDir, natsAddr, hubHTTP, mou)
	if retention > 0 {
		hubYAML += fmt.Sprintf("retention: %s\n", retention)
	}
	hubCfg, err := writeConfig(work, "hub.yaml", hubYAML)
	if err != nil {
		return nil, err
	}
	workerCfg, err := writeConfig(work, "worker.yaml", fmt.Sprintf("nats_url: %s\ncreds: %s\nhttp_listen: %s\nworkers: 4\n",
		s.natsURL, operator, workerHTTP))
	if err != nil {
		return nil, err
	}
	s.hub = &proc{name: "hub", argv: []string{hubBin, "--config", hubCfg}, probe: "http://" + hubHTTP + "/readyz", logDir: logs}
	s.worker = &proc{name: "worker", argv: []string{hubBin, "worker", "--config", workerCfg}, probe: "http://" + workerHTTP + "/readyz", logDir: logs}
	if s.bridge, err = s.bridgeProc(work, hubBin, bridgeHTTP, "soak-audit", logs); err != nil {
		return nil, err
	}
	if s.connector, err = s.connectorProc(work, connectorBin, mou, connHTTP, logs); err != nil {
		return nil, err
	}
	if profiles != "" {
		s.hub.pprof, s.worker.pprof = addrs[5], addrs[6]
	}
	for _, p := range s.procs() { // the hub first: it makes the creds the others use
		if err := p.start(); err != nil {
			s.stopAll()
			return nil, err
		}
	}
	return s, nil
}

func (s *system) procs() []*proc { return []*proc{s.hub, s.worker, s.bridge, s.connector} }

func (s *system) stopAll() {
	procs := s.procs()
	for i := len(procs) - 1; i >= 0; i-- {
		if procs[i].exited != nil {
			procs[i].stop()
		}
	}
}

// sampleRow is every process's usage at one moment.
type sampleRow struct {
	at      time.Duration
	usage   []usage // in procs() order
	hubHeap float64 // MB of Go heap in use in the hub (its /metrics), -1 if unknown
	wrkHeap float64 // the same for the worker node
}

func (s *system) sample(began time.Time) sampleRow {
	r := sampleRow{at: time.Since(began), hubHeap: heapInUse(s.hub), wrkHeap: heapInUse(s.worker)}
	for _, p := range s.procs() {
		r.usage = append(r.usage, sample(p.pid()))
		if p.pprof != "" {
			file := filepath.Join(s.profiles, fmt.Sprintf("%s-%d-%04.0fs.pb.gz", p.name, p.starts, r.at.Seconds()))
			if err := p.saveHeap(file); err != nil {
				fmt.Fprintf(os.Stderr, "heap profile: %v\n", err)
			}
		}
	}
	return r
}

// heapInUse is p's Go heap in use in MB, from its /metrics; -1 if unknown.
func heapInUse(p *proc) float64 {
	v := metric(strings.Replace(p.probe, "/readyz", "/metrics", 1), "go_memstats_heap_inuse_bytes")
	if v < 0 {
		return -1
	}
	return v / (1 << 20)
}

// metric reads one unlabelled value from a Prometheus text endpoint; -1 if
// it cannot.
func metric(url, name string) float64 {
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			if v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
				return v
			}
		}
	}
	return -1
}

// connectorFiles counts what the connector's dir sink holds.
func (s *system) connectorFiles() int {
	entries, _ := os.ReadDir(s.sinkDir)
	return len(entries)
}
