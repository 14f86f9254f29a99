// Command hub measures the Geneva hub against a raw JetStream hop with the
// same fan-out, both in this process on the same machine, alternating:
// sustained submissions/s, CPU µs per submission, and submit-to-delivery
// latency (p50/p99/p999) at a fixed offered rate. One-indicator GREEN
// bundles from bank-one reach the four other demo members, each reading
// its own consumer. It prints a Markdown report.
//
//	go run ./bench/hub -runs 3 -n 20000 -rates 1000 -seconds 10
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/internal/cputime"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench/hub: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	runs, n, seconds, workers int
	rates                     []int
	sides                     []string
}

func run() error {
	var o options
	flag.IntVar(&o.runs, "runs", 3, "runs per side, alternating which side goes first")
	flag.IntVar(&o.n, "n", 20000, "submissions per throughput run")
	rates := flag.String("rates", "1000", "offered submissions/s of the latency runs (comma-separated)")
	flag.IntVar(&o.seconds, "seconds", 10, "length of each latency run (the first second is warm-up, not counted); 0: no latency runs")
	flag.IntVar(&o.workers, "workers", 0, "hub policy workers (0: the hub's default)")
	sides := flag.String("sides", "hop,hub", "which sides to run: hop, hub, hub-w<N> (the hub with N policy workers), hop3 (the hop storing a receipt-sized message too) and hop4 (a receipt- and an audit-sized message); hop-acct and hop4-acct (hop and hop4 with the sender and receivers in member accounts, as the hub sets them up); on a 3-node cluster with R3 streams: hop-r3, hop4-r3, hub-c<N> (N hub processes in cluster mode)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the whole run to this file (what the GC has to pay for)")
	flag.Parse()
	o.sides = strings.Split(*sides, ",")
	for _, r := range strings.Split(*rates, ",") {
		rate, err := strconv.Atoi(r)
		if err != nil || rate < 1 {
			return fmt.Errorf("-rates: %q is not a positive number", r)
		}
		o.rates = append(o.rates, rate)
	}
	if o.seconds == 0 {
		o.rates = nil
	}
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
	if *memProfile != "" {
		defer writeAllocs(*memProfile)
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
			fmt.Fprintf(os.Stderr, "run %d %-9s idle %.0f cpu-ms/s; %8.0f submissions/s %6.1f cpu-µs/sub\n", r+1, side, res.idleMillis, res.tp.perSecond, res.tp.cpuMicros)
			for k, l := range res.lat {
				fmt.Fprintf(os.Stderr, "      at %d/s: p50 %v p99 %v p999 %v max %v (%d samples) %6.1f cpu-µs/sub\n",
					o.rates[k], l.p50, l.p99, l.p999, l.max, l.samples, l.cpuMicros)
			}
			results[side] = append(results[side], res)
		}
	}
	report(os.Stdout, o, results)
	return nil
}

type sideResult struct {
	idleMillis float64 // CPU ms per second with nothing to do
	tp         throughputResult
	lat        []latencyResult // one per rate
}

func runSide(side string, r int, o options) (sideResult, error) {
	dir, err := os.MkdirTemp("", "geneva-bench-")
	if err != nil {
		return sideResult{}, err
	}
	var sys *system
	switch {
	case side == "hub":
		sys, err = startHub(dir, o.workers)
	case strings.HasPrefix(side, "hub-w"):
		workers, perr := strconv.Atoi(strings.TrimPrefix(side, "hub-w"))
		if perr != nil {
			return sideResult{}, fmt.Errorf("side %q: want hub-w<workers>", side)
		}
		sys, err = startHub(dir, workers)
		if err == nil {
			sys.name = side
		}
	case side == "hop-r3":
		sys, err = startClusterHop(dir, 0)
	case side == "hop4-r3":
		sys, err = startClusterHop(dir, 2)
	case strings.HasPrefix(side, "hub-c"):
		n, perr := strconv.Atoi(strings.TrimPrefix(side, "hub-c"))
		if perr != nil || n < 1 {
			return sideResult{}, fmt.Errorf("side %q: want hub-c<hub processes>", side)
		}
		sys, err = startClusterHubs(dir, n, o.workers)
		if err == nil {
			sys.name = side
		}
	case side == "hop":
		sys, err = startHop(dir, 0)
	case side == "hop3":
		sys, err = startHop(dir, 1)
	case side == "hop4":
		sys, err = startHop(dir, 2)
	case side == "hop-acct":
		sys, err = startAcctHop(dir, 0)
	case side == "hop4-acct":
		sys, err = startAcctHop(dir, 2)
	default:
		err = fmt.Errorf("unknown side %q (want hub, hub-w<workers>, hop, hop3, hop4, hop-acct, hop4-acct, hop-r3, hop4-r3 or hub-c<processes>)", side)
	}
	if err != nil {
		return sideResult{}, err
	}
	defer sys.close()
	stopConsumers, err := startConsumers(sys)
	if err != nil {
		return sideResult{}, err
	}
	defer stopConsumers()
	var res sideResult
	cpu0, start := cputime.Process(), time.Now()
	time.Sleep(2 * time.Second)
	res.idleMillis = float64(cputime.Process()-cpu0) / float64(time.Millisecond) / time.Since(start).Seconds()
	if res.tp, err = measureThroughput(sys, newWorkload(fmt.Sprintf("t%d", r), o.n)); err != nil {
		return res, err
	}
	for _, rate := range o.rates {
		warmup := rate // the first second
		if o.seconds < 2 {
			warmup = 0
		}
		l, err := measureLatency(sys, newWorkload(fmt.Sprintf("l%d-%d", r, rate), rate*o.seconds), rate, warmup)
		if err != nil {
			return res, err
		}
		res.lat = append(res.lat, l)
	}
	return res, nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// writeAllocs writes the allocations so far (pprof's "allocs" profile);
// -sample_index=alloc_space shows who allocates the bytes that drive GC.
func writeAllocs(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench/hub: -memprofile: %v\n", err)
	}
}
