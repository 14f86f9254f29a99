// Command soak runs Geneva's real processes at a steady rate for a long
// time while killing one of them with SIGKILL every few minutes, then
// checks that nothing was lost or duplicated: the hub (geneva-hub, deciding
// too), a worker node (geneva-hub worker), the archive bridge (geneva-hub
// archive) to a real Kafka broker, and isp-two's connector (geneva-connector
// with a dir sink). bank-one and le-alpha submit one-indicator GREEN
// bundles, which policy routes to the four other members; this process
// reads le-bravo, cert-three and the two senders' inboxes and receipts with
// their own credentials. It prints a Markdown report: offered, receipts,
// audit records, deliveries per member, the archive, p50/p99 latency per
// phase (between kills) and RSS and open files of every process over time.
//
//	go run ./bench/soak -duration 30m -rate 20 -kill-every 3m
//
// With -retention 1h (the hub's minimum) and a -duration past it, it shows
// memory level off once the first shares age out (docs/operating.md
// "Memory").
//
// With -cluster it runs on a NATS cluster of 3 nats-server processes
// instead, through SIGKILLs of a node and a hub process and a partition
// (faults.go):
//
//	go run ./bench/soak -cluster -hubs 2 -rate 20 -kill-every 1m
//
// With -profiles DIR it also saves the hub's and the worker node's heap
// profiles at every sample (served on loopback through
// $GENEVA_PPROF_LISTEN), named <process>-<start>-<seconds>s.pb.gz, for
// go tool pprof -top -diff_base A B.
//
// It needs Kafka's jars in $GENEVA_KAFKA_LIB (scripts/peers.sh).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

var (
	senders   = []string{"bank-one", "le-alpha"}
	readers   = []string{"bank-one", "le-alpha", "le-bravo", "cert-three"} // isp-two: the connector
	connected = "isp-two"
)

type options struct {
	duration, killEvery, sampleEvery, settle time.Duration
	retention                                time.Duration // the hub's retention, 0 for its default
	rate                                     float64
	keep                                     bool
	profiles                                 string
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 30*time.Minute, "how long submissions are offered")
	flag.Float64Var(&o.rate, "rate", 20, "submissions per second, over both senders")
	flag.DurationVar(&o.killEvery, "kill-every", 3*time.Minute, "SIGKILL one process (hub, worker node, archive bridge, connector in turn) this often")
	flag.DurationVar(&o.sampleEvery, "sample-every", 30*time.Second, "how often RSS and open files are read")
	flag.DurationVar(&o.settle, "settle", 3*time.Minute, "how long everything may take to arrive after the last submission")
	flag.DurationVar(&o.retention, "retention", 0, "the hub's retention of shares and receipts (its minimum is 1h; 0: the hub's default, 30 days); a soak longer than it shows memory level off")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder (logs, data) at the end")
	cluster := flag.Bool("cluster", false, "run on 3 nats-server processes with -hubs hub processes through a fixed list of faults, -kill-every apart (faults.go), instead of the soak")
	hubs := flag.Int("hubs", 2, "hub processes with -cluster")
	flag.StringVar(&o.profiles, "profiles", "", "write the hub's and the worker node's heap profiles to this folder at every sample (served on loopback, $GENEVA_PPROF_LISTEN)")
	flag.Parse()
	if *cluster {
		if err := runFaultsMain(o, *hubs); err != nil {
			fmt.Fprintf(os.Stderr, "bench/soak -cluster: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "bench/soak: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	lib := os.Getenv(kafkatest.LibEnv)
	if lib == "" {
		return fmt.Errorf("$%s is not set: run eval \"$(scripts/peers.sh)\" first", kafkatest.LibEnv)
	}
	work, err := os.MkdirTemp("", "geneva-soak-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "work folder: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	fmt.Fprintln(os.Stderr, "building geneva-hub and geneva-connector")
	bins, err := crashtest.Build(work, "github.com/genevahub/geneva/cmd/geneva-hub", "github.com/genevahub/geneva/cmd/geneva-connector")
	if err != nil {
		return err
	}
	kdir := filepath.Join(work, "kafka")
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		return err
	}
	broker, err := kafkatest.Launch(lib, kdir)
	if err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	defer func() { _ = broker.Stop() }() // the run's result is already written

	if o.profiles != "" {
		if err := os.MkdirAll(o.profiles, 0o755); err != nil {
			return err
		}
	}
	s, err := newSystem(work, bins[0], bins[1], broker.Addr, o.profiles, o.retention)
	if err != nil {
		return err
	}
	defer s.stopAll()
	fmt.Fprintf(os.Stderr, "all processes ready; offering %.0f/s for %v, a SIGKILL every %v\n", o.rate, o.duration, o.killEvery)

	l := newLedger()
	ctx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	offerCtx, stopOffering := context.WithTimeout(context.Background(), o.duration)
	defer stopOffering()
	began := time.Now()
	offering, err := startTraffic(ctx, offerCtx, s, l, o.rate)
	if err != nil {
		return err
	}

	samples := []sampleRow{s.sample(began)}
	printSample(samples[0])
	phases := []phase{{name: "steady", start: began}}
	tick := time.NewTicker(o.sampleEvery)
	defer tick.Stop()
	kill := time.NewTicker(o.killEvery)
	defer kill.Stop()
	victims := []*proc{s.hub, s.worker, s.bridge, s.connector}
	for done := false; !done; {
		select {
		case <-offerCtx.Done():
			done = true
		case <-tick.C:
			samples = append(samples, s.sample(began))
			printSample(samples[len(samples)-1])
		case <-kill.C:
			v := victims[(len(phases)-1)%len(victims)]
			at := time.Now()
			v.kill()
			if err := v.start(); err != nil {
				return err
			}
			phases = append(phases, phase{name: "after SIGKILL of " + v.name, start: at, restart: time.Since(at)})
			fmt.Fprintf(os.Stderr, "%v: SIGKILL %s, serving again after %v\n", at.Sub(began).Round(time.Second), v.name, time.Since(at).Round(time.Millisecond))
		}
	}
	for _, wait := range offering {
		wait()
	}
	fmt.Fprintf(os.Stderr, "offered for %v; waiting up to %v for everything to arrive\n", time.Since(began).Round(time.Second), o.settle)
	expect := l.expected()
	settled := waitFor(o.settle, func() bool { return l.complete(expect) && s.connectorFiles() >= expect[connected] })
	samples = append(samples, s.sample(began))
	stopReading()

	var checks []check
	checks = append(checks, l.checks(expect)...)
	checks = append(checks, s.checkConnector(l, expect[connected]))
	checks = append(checks, s.checkAudit(l))
	checks = append(checks, s.checkArchive(l))
	report(os.Stdout, o, l, time.Since(began), settled, phases, samples, checks, s)
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%s: %s", c.what, c.got)
		}
	}
	return nil
}

// startTraffic has every reader read its inbox and each sender its
// receipts until readCtx ends, and the senders offer rate submissions/s
// in all until offerCtx ends; it returns a wait for each sender.
func startTraffic(readCtx, offerCtx context.Context, s *system, l *ledger, rate float64) ([]func(), error) {
	for _, m := range readers {
		_, js, err := connect(s.natsURL, wire.CredsPath(s.dataDir, m))
		if err != nil {
			return nil, err
		}
		go read(readCtx, js, wire.StreamShare, wire.InboxConsumer(m), func(msg jetstream.Msg) { l.seeShare(m, msg) })
	}
	var offering []func()
	for _, m := range senders {
		_, js, err := connect(s.natsURL, wire.CredsPath(s.dataDir, m))
		if err != nil {
			return nil, err
		}
		go read(readCtx, js, wire.StreamReceipt, wire.ReceiptConsumer(m), l.seeReceipt)
		offering = append(offering, l.offer(offerCtx, js, m, rate/float64(len(senders))).Wait)
	}
	return offering, nil
}

// waitFor polls cond until it holds or limit passes; it reports how long
// that took (or -1 if it never held).
func waitFor(limit time.Duration, cond func() bool) time.Duration {
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			return -1
		}
		time.Sleep(250 * time.Millisecond) // polling the ledger
	}
	return time.Since(start)
}

// demoMoUFile writes the demo MoU for the hub and the connector.
func demoMoUFile(dir string) (string, error) {
	file := filepath.Join(dir, "mou.yaml")
	return file, os.WriteFile(file, policy.DemoMoUYAML(), 0o600)
}
