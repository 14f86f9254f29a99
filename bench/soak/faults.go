package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
)

// faultOptions shape a run of Geneva on a NATS cluster through faults.
type faultOptions struct {
	step, settle time.Duration // time between faults; how long everything may take to arrive at the end
	rate         float64       // submissions per second over both senders
	hubs         int           // hub processes
	kafkaLib     string        // with Kafka's jars, the archive bridge runs too
	keep         bool
}

// faultRun is what a run saw: the faults (phases) and the verdict.
type faultRun struct {
	phases  []phase
	resumed []time.Duration // per phase: from its start to the first arrival of a submission due after it; -1 none
	lat     []delivery
	checks  []check
	settled time.Duration
	offered int
	ran     time.Duration
}

// runFaults runs Geneva on 3 nats-server processes with o.hubs hub
// processes, the connector and (with Kafka) the archive bridge under a
// steady submission load, through these faults, o.step apart: SIGKILL of
// the NATS node leading the audit stream, SIGKILL of a hub process, both
// restarted, the node leading the share stream partitioned (its routes
// cut by a config reload), the partition healed. Then it checks that
// nothing was lost or stored twice and the audit chain verifies.
func runFaults(o faultOptions, progress io.Writer) (*faultRun, error) {
	work, err := os.MkdirTemp("", "geneva-faults-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintf(progress, "work folder: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	fmt.Fprintln(progress, "building nats-server, geneva-hub and geneva-connector")
	natsBin, err := buildNATSServer(work)
	if err != nil {
		return nil, err
	}
	bins, err := crashtest.Build(work, "github.com/genevahub/geneva/cmd/geneva-hub", "github.com/genevahub/geneva/cmd/geneva-connector")
	if err != nil {
		return nil, err
	}
	brokerAddr := ""
	if o.kafkaLib != "" {
		kdir := filepath.Join(work, "kafka")
		if err := os.MkdirAll(kdir, 0o755); err != nil {
			return nil, err
		}
		broker, err := kafkatest.Launch(o.kafkaLib, kdir)
		if err != nil {
			return nil, fmt.Errorf("kafka: %w", err)
		}
		defer func() { _ = broker.Stop() }() // the checks are already done
		brokerAddr = broker.Addr
	}
	s, err := newClusterSystem(work, natsBin, bins[0], bins[1], brokerAddr, o.hubs)
	if err != nil {
		return nil, err
	}
	defer s.stopAll()
	_, opJS, err := connect(s.natsURL, wire.CredsPath(s.dataDir, wire.OperatorName))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "3 NATS nodes, %d hub processes ready; offering %.0f/s, a fault every %v\n", o.hubs, o.rate, o.step)

	l := newLedger()
	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	offerCtx, stopOffering := context.WithCancel(context.Background())
	defer stopOffering()
	began := time.Now()
	offering, err := startTraffic(readCtx, offerCtx, s.system, l, o.rate)
	if err != nil {
		return nil, err
	}

	run := &faultRun{phases: []phase{{name: "steady", start: began}}}
	fault := func(name string, do func() error) error {
		time.Sleep(time.Until(run.phases[len(run.phases)-1].start.Add(o.step))) // the load runs on: this is the schedule, not a wait for a state
		at := time.Now()
		if err := do(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		run.phases = append(run.phases, phase{name: name, start: at, restart: time.Since(at)})
		fmt.Fprintf(progress, "%v: %s (took %v)\n", at.Sub(began).Round(time.Second), name, time.Since(at).Round(time.Millisecond))
		return nil
	}
	killed := s.nodes[s.leaderOf(opJS, wire.StreamAudit)]
	victim := s.hubs[0]
	cut := s.leaderOf(opJS, wire.StreamShare)
	steps := []struct {
		name string
		do   func() error
	}{
		{"SIGKILL of NATS node " + killed.name + " (audit stream leader)", func() error { killed.kill(); return nil }},
		{"SIGKILL of " + victim.name, func() error { victim.kill(); return nil }},
		{"both restarted", func() error {
			if err := killed.start(); err != nil {
				return err
			}
			if err := killed.waitHealthy(2 * time.Minute); err != nil {
				return err
			}
			return victim.start()
		}},
		{"NATS node " + s.nodes[cut].name + " partitioned (share stream leader; routes cut)", func() error { return s.partition(cut, cut, time.Minute) }},
		{"partition healed", func() error {
			if err := s.partition(cut, -1, time.Minute); err != nil {
				return err
			}
			return s.nodes[cut].waitHealthy(2 * time.Minute)
		}},
	}
	for _, st := range steps {
		if err := fault(st.name, st.do); err != nil {
			return nil, err
		}
	}
	time.Sleep(time.Until(run.phases[len(run.phases)-1].start.Add(o.step))) // the last phase's load, as scheduled
	stopOffering()
	for _, wait := range offering {
		wait()
	}
	fmt.Fprintf(progress, "offered for %v; waiting up to %v for everything to arrive\n", time.Since(began).Round(time.Second), o.settle)
	expect := l.expected()
	run.settled = waitFor(o.settle, func() bool { return l.complete(expect) && s.connectorFiles() >= expect[connected] })
	stopReading()
	if err := s.waitJetStream(wire.CredsPath(s.dataDir, wire.OperatorName), time.Minute); err != nil {
		return nil, err
	}

	run.checks = append(l.checks(expect), s.checkConnector(l, expect[connected]), s.checkAudit(l))
	if s.bridge != nil {
		run.checks = append(run.checks, s.checkArchive(l))
	}
	run.resumed = l.resumedAfter(run.phases)
	l.mu.Lock()
	run.lat = slices.Clone(l.latency)
	l.mu.Unlock()
	run.offered = len(l.offered)
	run.ran = time.Since(began)
	return run, nil
}

// leaderOf is the index of the node leading stream (0 if unknown).
func (s *clusterSystem) leaderOf(js jetstream.JetStream, stream string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, stream)
	if err != nil || st.CachedInfo().Cluster == nil {
		return 0
	}
	for i, n := range s.nodes {
		if n.name == st.CachedInfo().Cluster.Leader {
			return i
		}
	}
	return 0
}

// resumedAfter is, per phase, how long after its start the first
// submission due after that start arrived at a reading member (-1: none).
func (l *ledger) resumedAfter(phases []phase) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]time.Duration, len(phases))
	for i, p := range phases {
		out[i] = -1
		for _, d := range l.latency {
			if d.due.Before(p.start) {
				continue
			}
			if at := d.due.Add(d.d).Sub(p.start); out[i] < 0 || at < out[i] {
				out[i] = at
			}
		}
	}
	return out
}

// report writes the run as Markdown: the checks, then each phase's
// resumption and latency.
func (r *faultRun) report(w io.Writer, o faultOptions) {
	fmt.Fprintf(w, "## Faults on a NATS cluster: 3 nats-server processes, %d hub processes, %.0f submissions/s, a fault every %v\n\n", o.hubs, o.rate, o.step)
	if r.settled >= 0 {
		fmt.Fprintf(w, "%d submissions offered; everything had arrived %v after the last.\n\n", r.offered, r.settled.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "%d submissions offered; not everything had arrived %v after the last.\n\n", r.offered, o.settle)
	}
	writeChecks(w, r.checks)
	fmt.Fprintln(w, "\nDelivery resumed after: from the fault to the first arrival, at any reading member, of a submission due after it. Latency: from when a submission was due to its first arrival at each reading member, for the submissions due in the phase.")
	fmt.Fprintln(w, "\n| phase | from | fault took | delivery resumed after | deliveries | p50 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|---:|")
	for i, p := range r.phases {
		took, resumed := "–", "none"
		if i > 0 {
			took = p.restart.Round(time.Millisecond).String()
		}
		if r.resumed[i] >= 0 {
			resumed = r.resumed[i].Round(time.Millisecond).String()
		}
		end := time.Now()
		if i+1 < len(r.phases) {
			end = r.phases[i+1].start
		}
		ds := dueBetween(r.lat, p.start, end)
		fmt.Fprintf(w, "| %s | %v | %s | %s | %d | %s | %s | %s |\n", p.name, p.start.Sub(r.phases[0].start).Round(time.Second), took, resumed,
			len(ds), quantile(ds, 0.5), quantile(ds, 0.99), quantile(ds, 1))
	}
	fmt.Fprintf(w, "\nRan %v in all.\n", r.ran.Round(time.Second))
}

// runFaultsMain is bench/soak -cluster: the soak's flags, the Kafka bridge
// if $GENEVA_KAFKA_LIB is set, the report on stdout.
func runFaultsMain(so options, hubs int) error {
	o := faultOptions{step: so.killEvery, settle: so.settle, rate: so.rate, hubs: hubs, kafkaLib: os.Getenv(kafkatest.LibEnv), keep: so.keep}
	if o.kafkaLib == "" {
		fmt.Fprintf(os.Stderr, "$%s is not set: running without the archive bridge\n", kafkatest.LibEnv)
	}
	r, err := runFaults(o, os.Stderr)
	if err != nil {
		return err
	}
	r.report(os.Stdout, o)
	for _, c := range r.checks {
		if !c.ok {
			return fmt.Errorf("%s: %s", c.what, c.got)
		}
	}
	return nil
}
