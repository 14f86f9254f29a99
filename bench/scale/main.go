// Command scale asks whether more hub processes decide more when each has
// CPU of its own, on a machine with fewer cores than processes: every
// geneva-hub process (cluster mode, on 3 uncapped in-process nats-servers
// with R3 streams) runs in its own cgroup v1 with a fixed CPU quota
// (-cpu cores). For 1, 2, 3… processes it reports sustained
// submissions/s, p50/p99 at an offered rate, each process's CPU and share
// of the decisions (its receipts' Geneva-Decided-By), next to
// bench/hub's raw R3 hop measured in the same run. Needs root and
// writable /sys/fs/cgroup/{cpu,cpuacct}; run from the repository.
//
//	go run ./bench/scale -hubs 1,2,3 -cpu 0.1 -n 3000 -rate 300 -seconds 8
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench/scale: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	hubs                   []int
	cores                  float64
	runs, n, rate, seconds int
	workers                int
	hop                    bool
	limit                  time.Duration
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	hubs := fs.String("hubs", "1,2,3", "hub processes per configuration (comma-separated)")
	fs.Float64Var(&o.cores, "cpu", 0.1, "CPU quota of each hub process, in cores (cgroup cpu.cfs_quota_us / cpu.cfs_period_us)")
	fs.IntVar(&o.runs, "runs", 1, "runs over all configurations, alternating their order")
	fs.IntVar(&o.n, "n", 3000, "submissions offered at once in each throughput phase")
	fs.IntVar(&o.rate, "rate", 300, "offered submissions/s of the latency phase")
	fs.IntVar(&o.seconds, "seconds", 8, "length of the latency phase (the first second is not counted); 0: none")
	fs.IntVar(&o.workers, "workers", 8, "policy workers per hub process")
	fs.BoolVar(&o.hop, "hop", true, "run bench/hub's hop-r3 (uncapped) in each run as the baseline")
	fs.DurationVar(&o.limit, "limit", 5*time.Minute, "longest wait for a phase's deliveries")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, h := range strings.Split(*hubs, ",") {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 {
			return o, fmt.Errorf("-hubs: %q is not a positive number", h)
		}
		o.hubs = append(o.hubs, n)
	}
	switch {
	case o.cores <= 0 || o.cores > 64:
		return o, fmt.Errorf("-cpu: %v is outside (0, 64] cores", o.cores)
	case o.runs < 1 || o.n < 1 || o.rate < 1 || o.seconds < 0:
		return o, fmt.Errorf("-runs, -n and -rate must be positive, -seconds not negative")
	}
	return o, nil
}

// A configuration's run, or the hop's.
type measured struct {
	run   int
	hubs  int // 0: the hop
	tp    result
	lat   result // zero without a latency phase
	hop   hopResult
	idle  []float64 // each hub process's CPU (cores) over 2 s with nothing to do
	loads [2]string // load averages before and after
}

func run() error {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "geneva-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	hubBin, benchHub := filepath.Join(work, "geneva-hub"), filepath.Join(work, "bench-hub")
	for bin, pkg := range map[string]string{hubBin: "./cmd/geneva-hub", benchHub: "./bench/hub"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s (run from the repository): %w\n%s", pkg, err, out)
		}
	}
	cleanupOnSignal(work)

	var all []measured
	for r := range o.runs {
		order := append([]int{0}, o.hubs...) // 0: the hop
		if r%2 == 1 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
		}
		for _, n := range order {
			if n == 0 && !o.hop {
				continue
			}
			m, err := measure(work, hubBin, benchHub, r, n, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr, progress(m, o))
			all = append(all, m)
		}
	}
	report(os.Stdout, o, all)
	return nil
}

// measure runs one configuration of n hub processes (0: the hop).
func measure(work, hubBin, benchHub string, r, n int, o options) (m measured, err error) {
	m.run, m.hubs, m.loads[0] = r, n, loadAverage()
	defer func() { m.loads[1] = loadAverage() }()
	if n == 0 {
		m.hop, err = runHop(benchHub, o)
		return m, err
	}
	dir := filepath.Join(work, fmt.Sprintf("run%d-hubs%d", r, n))
	s, err := startSetup(dir, hubBin, n, o.workers, o.cores)
	if err != nil {
		return m, err
	}
	setCurrent(s)
	defer func() {
		setCurrent(nil)
		if cerr := s.close(); err == nil {
			err = cerr
		}
		_ = os.RemoveAll(dir)
	}()
	if m.idle, err = s.idleCores(2 * time.Second); err != nil {
		return m, err
	}
	if m.tp, err = s.run(newPhase(fmt.Sprintf("t%d-%d", r, n), o.n, 0), 0, o.limit); err != nil {
		return m, fmt.Errorf("%d hub processes, throughput: %w", n, err)
	}
	if o.seconds > 0 {
		warmup := o.rate
		if o.seconds < 2 {
			warmup = 0
		}
		if m.lat, err = s.run(newPhase(fmt.Sprintf("l%d-%d", r, n), o.rate*o.seconds, warmup), o.rate, o.limit); err != nil {
			return m, fmt.Errorf("%d hub processes, %d/s: %w", n, o.rate, err)
		}
	}
	return m, nil
}

// The setup running now, which an interrupt stops (its hub processes and
// their cgroups) before the bench exits.
var (
	currentMu sync.Mutex
	current   *setup
)

func setCurrent(s *setup) {
	currentMu.Lock()
	defer currentMu.Unlock()
	current = s
}

func cleanupOnSignal(work string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		currentMu.Lock()
		if current != nil {
			if err := current.close(); err != nil {
				fmt.Fprintf(os.Stderr, "bench/scale: %v\n", err)
			}
		}
		_ = os.RemoveAll(work)
		fmt.Fprintf(os.Stderr, "bench/scale: stopped by %v\n", sig)
		os.Exit(1)
	}()
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
