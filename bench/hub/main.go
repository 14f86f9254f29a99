// Command hub measures the Geneva hub against a raw JetStream hop with the
// same fan-out, both in this process on the same machine, alternating:
// sustained submissions/s, CPU µs per submission, and submit-to-delivery
// latency (p50/p99/p999) at a fixed offered rate. One-indicator GREEN
// bundles from bank-one reach the four other demo members, each reading
// its own consumer. It prints a Markdown report.
//
//	go run ./bench/hub -runs 3 -n 20000 -rate 1000 -seconds 10
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench/hub: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	runs, n, rate, seconds, workers int
	sides                           []string
}

func run() error {
	var o options
	flag.IntVar(&o.runs, "runs", 3, "runs per side, alternating which side goes first")
	flag.IntVar(&o.n, "n", 20000, "submissions per throughput run")
	flag.IntVar(&o.rate, "rate", 1000, "offered submissions/s for the latency run")
	flag.IntVar(&o.seconds, "seconds", 10, "length of the latency run (the first second is warm-up, not counted)")
	flag.IntVar(&o.workers, "workers", 0, "hub policy workers (0: the hub's default)")
	sides := flag.String("sides", "hop,hub", "which sides to run")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	o.sides = strings.Split(*sides, ",")
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	results := map[string][]sideResult{}
	for r := range o.runs {
		order := o.sides
		if r%2 == 1 {
			order = reversed(o.sides)
		}
		for _, side := range order {
			res, err := runSide(side, r, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "run %d %-3s %8.0f submissions/s %6.1f cpu-µs/sub | at %d/s: p50 %v p99 %v p999 %v max %v (%d samples) %6.1f cpu-µs/sub\n",
				r+1, side, res.tp.perSecond, res.tp.cpuMicros, o.rate, res.lat.p50, res.lat.p99, res.lat.p999, res.lat.max,
				res.lat.samples, res.lat.cpuMicros)
			results[side] = append(results[side], res)
		}
	}
	report(os.Stdout, o, results)
	return nil
}

type sideResult struct {
	tp  throughputResult
	lat latencyResult
}

func runSide(side string, r int, o options) (sideResult, error) {
	dir, err := os.MkdirTemp("", "geneva-bench-")
	if err != nil {
		return sideResult{}, err
	}
	var sys *system
	switch side {
	case "hub":
		sys, err = startHub(dir, o.workers)
	case "hop":
		sys, err = startHop(dir)
	default:
		err = fmt.Errorf("unknown side %q (want hub or hop)", side)
	}
	if err != nil {
		return sideResult{}, err
	}
	defer sys.close()
	var res sideResult
	if res.tp, err = measureThroughput(sys, newWorkload(fmt.Sprintf("t%d", r), o.n)); err != nil {
		return res, err
	}
	res.lat, err = measureLatency(sys, newWorkload(fmt.Sprintf("l%d", r), o.rate*o.seconds), o.rate, o.rate)
	return res, err
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
