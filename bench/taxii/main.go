// Command taxii measures the hub's TAXII 2.1 server against medallion (the
// OASIS reference server) on this machine in the same run, with the same
// Go HTTP client: single-object POSTs and 100-object envelopes (each
// answered with the decision, and with Prefer: respond-async), and polling
// the objects back 100 per page with next. The hub runs in this process
// (demo MoU; bank-one posts to all, le-alpha polls its inbox); medallion
// runs from the test venv (memory backend). The timed POSTs come from a
// child process (-client), so each side's CPU figure is its server's
// alone; -nats times the same single submissions through NATS, which a
// TAXII POST wraps. It prints a Markdown report.
//
//	eval "$(scripts/peers.sh)"
//	go run ./bench/taxii -runs 3 -single 300 -envelopes 20 -poll 10000
//	go run ./bench/taxii -runs 3 -poll 0 -latency 0 -prefill 2000   # POSTs into collections of 2,000 objects
//	go run ./bench/taxii -runs 0 -flat 1000,10000,50000   # the hub's poll cost by collection size
//	go run ./bench/taxii -hub-only -runs 1 -cpuprofile post.prof   # where a POST spends its CPU
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench/taxii: %v\n", err)
		os.Exit(1)
	}
}

// server is one side: where to post, where to poll, and how to log in.
type server struct {
	name       string
	post, poll string // collection URLs (…/collections/<id>/)
	root       string // the posting side's API root (for status/<id>/)
	postAuth   func(*http.Request)
	pollAuth   func(*http.Request)
	maxPage    int
	stop       func()
	cpu        func() time.Duration             // CPU time of the server's process so far
	hub        *hub.Hub                         // the hub side only
	visible    func(context.Context, int) error // waits until n objects can be polled
}

// result is a run's rates in objects per second, and per CPU-second of
// the server's process (the timed POSTs' client is a process of its own). Single and
// envelope POSTs are measured twice: waiting for the decision in each
// answer (as taxii2-client does), and with Prefer: respond-async, until
// every status is complete.
type result struct {
	single, envelope, poll float64
	singleAsync, envAsync  float64
	cpu                    [4]float64 // objects per CPU-second: single, envelope, singleAsync, envAsync
	polled                 int
}

func run() error {
	single := flag.Int("single", 300, "single-object POSTs")
	envelopes := flag.Int("envelopes", 20, "100-object envelopes")
	poll := flag.Int("poll", 10000, "objects polled back (the collection is filled to this size first)")
	samples := flag.Int("latency", 50, "submissions timed from sender to receiver, through TAXII and through NATS (hub only)")
	prefill := flag.Int("prefill", 0, "objects each server's collection holds (posted untimed, 100 per envelope) before each POST measurement")
	viaNATS := flag.Int("nats", 300, "single-object submissions through NATS, each waiting for its receipt, on a fresh hub after each hub run: the CPU per submission beside a single POST's")
	runs := flag.Int("runs", 3, "runs per side, alternating which side goes first (medians are reported)")
	python := flag.String("python", os.Getenv("GENEVA_PYTHON"), "the venv's python with medallion (scripts/peers.sh)")
	hubOnly := flag.Bool("hub-only", false, "measure the hub alone (no ratio): for profiling")
	flat := flag.String("flat", "", "comma-separated collection sizes (e.g. 1000,10000,50000): after the runs, the hub's poll cost at each, on one hub")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the hub side's POSTs and polls (this process: the hub; the timed POSTs' client is another) to this file")
	client := flag.Bool("client", false, "be the client process of the timed submissions (reads a job on stdin)")
	flag.Parse()
	if *client {
		runClient()
		return nil
	}
	starts := []func() (*server, error){startHub}
	if !*hubOnly {
		if *python == "" {
			return fmt.Errorf("-python or $GENEVA_PYTHON: the venv with medallion (eval \"$(scripts/peers.sh)\")")
		}
		starts = append(starts, func() (*server, error) { return startMedallion(*python) })
	}
	results := make([][]result, len(starts))
	names := make([]string, len(starts))
	var natsRuns []natsPath
	for run := range *runs {
		for k := range starts {
			side := (k + run) % len(starts)                                 // alternate which side goes first
			stopProfile, err := profile(*cpuProfile, side == 0 && run == 0) // starts[0] is the hub
			if err != nil {
				return err
			}
			r, s, err := measure(starts[side], *single, *envelopes, *poll, *prefill)
			stopProfile()
			if s == nil {
				return err
			}
			if err == nil && s.hub != nil && *samples > 0 && run == 0 {
				var v visibility
				if v, err = measureVisibility(s, s.hub, *samples); err == nil {
					defer fmt.Printf("\n%s (%d each)\n", v, *samples)
				}
			}
			s.stop()
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			results[side] = append(results[side], r)
			names[side] = s.name
			fmt.Fprintf(os.Stderr, "run %d %s: %+v (load %s)\n", run+1, s.name, r, loadAverage())
			if side == 0 && *viaNATS > 0 {
				np, err := measureNATSPath(*viaNATS)
				if err != nil {
					return fmt.Errorf("through NATS: %w", err)
				}
				natsRuns = append(natsRuns, np)
				fmt.Fprintf(os.Stderr, "run %d through NATS: %+v\n", run+1, np)
			}
		}
	}
	if *runs > 0 {
		report(names, results, *runs, *poll)
		reportNATSPath(results, natsRuns)
	}
	if *flat == "" {
		return nil
	}
	var sizes []int
	for _, f := range strings.Split(*flat, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 200 {
			return fmt.Errorf("-flat: %q: want sizes of at least 200", f)
		}
		sizes = append(sizes, n)
	}
	return measureFlat(sizes)
}

// report prints the medians of each side's runs, and their ratio.
func report(names []string, results [][]result, runs, poll int) {
	med := make([]result, len(results))
	for i, rs := range results {
		med[i] = result{single: median(rs, func(r result) float64 { return r.single }),
			envelope:    median(rs, func(r result) float64 { return r.envelope }),
			singleAsync: median(rs, func(r result) float64 { return r.singleAsync }),
			envAsync:    median(rs, func(r result) float64 { return r.envAsync }),
			poll:        median(rs, func(r result) float64 { return r.poll })}
		for k := range med[i].cpu {
			med[i].cpu[k] = median(rs, func(r result) float64 { return r.cpu[k] })
		}
	}
	fmt.Printf("| server (median of %d) | single-object POSTs (obj/s) | 100-object envelopes (obj/s) | single, respond-async (obj/s) | envelopes, respond-async (obj/s) | polling %d objects (obj/s) |\n|---|---:|---:|---:|---:|---:|\n", runs, poll)
	for i, r := range med {
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", names[i], r.single, r.envelope, r.singleAsync, r.envAsync, r.poll)
	}
	if len(med) > 1 {
		h, m := med[0], med[1]
		fmt.Printf("| **%s / %s** | **%.1f×** | **%.1f×** | **%.1f×** | **%.1f×** | **%.0f×** |\n", names[0], names[1],
			h.single/m.single, h.envelope/m.envelope, h.singleAsync/m.singleAsync, h.envAsync/m.envAsync, h.poll/m.poll)
	}
	fmt.Printf("\nObjects per CPU-second of the server's process (the client is another process), medians:\n\n| server | single | envelopes | single, respond-async | envelopes, respond-async |\n|---|---:|---:|---:|---:|\n")
	for i, r := range med {
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.0f |\n", names[i], r.cpu[0], r.cpu[1], r.cpu[2], r.cpu[3])
	}
	if len(med) > 1 {
		h, m := med[0].cpu, med[1].cpu
		fmt.Printf("| **%s / %s** | **%.1f×** | **%.1f×** | **%.1f×** | **%.1f×** |\n", names[0], names[1], h[0]/m[0], h[1]/m[1], h[2]/m[2], h[3]/m[3])
	}
}

// profile writes a CPU profile to file until stop, if file is set and on.
func profile(file string, on bool) (stop func(), err error) {
	if file == "" || !on {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func median(rs []result, f func(result) float64) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

var seq int

// indicators are n GREEN indicators with fresh ids, written by appending:
// built with encoding/json from maps they were a tenth of the hub
// process's CPU while posting envelopes (the client is in the hub's
// process, and counted in its CPU).
func indicators(n int) []byte {
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	stamp := uint32(time.Now().Unix())
	b := make([]byte, 0, 64+480*n)
	b = append(b, `{"objects":[`...)
	for i := range n {
		seq++
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"created":"%s","id":"indicator--%08x-0000-4000-8000-%012x","modified":"%s","name":"bench %d",`+
			`"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],`+
			`"pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","spec_version":"2.1","type":"indicator","valid_from":"%s"}`,
			now, stamp, seq, now, seq, now)
	}
	return append(b, "]}"...)
}

const media = "application/taxii+json;version=2.1"

// medallion takes minutes for the first page of a large collection.
var client = &http.Client{Timeout: 15 * time.Minute}

func do(req *http.Request, auth func(*http.Request)) ([]byte, error) {
	req.Header.Set("Accept", media)
	auth(req)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return b, err
}

// postStatus is what a POST's answer (or a status read later) says.
type postStatus struct {
	ID           string
	Status       string
	SuccessCount int `json:"success_count"`
}

// post sends one envelope of n objects and checks the status says all
// succeeded; with async (Prefer: respond-async) the status may also be
// pending, and is returned for checkComplete.
func post(s *server, body []byte, n int, async bool) (postStatus, error) {
	req, _ := http.NewRequest("POST", s.post+"objects/", bytes.NewReader(body))
	req.Header.Set("Content-Type", media)
	if async {
		req.Header.Set("Prefer", "respond-async")
	}
	b, err := do(req, s.postAuth)
	if err != nil {
		return postStatus{}, err
	}
	var st postStatus
	if err := json.Unmarshal(b, &st); err != nil {
		return st, err
	}
	if !(st.Status == "complete" && st.SuccessCount == n || async && st.Status == "pending") {
		return st, fmt.Errorf("status %s", b)
	}
	return st, nil
}

// checkComplete reads each pending status until it is complete with n
// successes (a minute at most in all).
func checkComplete(s *server, sts []postStatus, n int) error {
	deadline := time.Now().Add(time.Minute)
	for _, st := range sts {
		for st.Status != "complete" {
			if time.Now().After(deadline) {
				return fmt.Errorf("status %s still %s after a minute", st.ID, st.Status)
			}
			req, _ := http.NewRequest("GET", s.root+"status/"+st.ID+"/", nil)
			b, err := do(req, s.postAuth)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &st); err != nil {
				return err
			}
		}
		if st.SuccessCount != n {
			return fmt.Errorf("status %s: %d of %d objects succeeded", st.ID, st.SuccessCount, n)
		}
	}
	return nil
}

// posts sends count envelopes of n objects one after another and returns
// the objects per second, counted until every status is complete, and
// per CPU-second the server's process spent meanwhile.
func posts(s *server, count, n int, async bool) (rate, perCPU float64, err error) {
	if count == 0 {
		return 0, 0, nil
	}
	start, cpu0 := time.Now(), s.cpu()
	var pending []postStatus
	for range count {
		st, err := post(s, indicators(n), n, async)
		if err != nil {
			return 0, 0, err
		}
		if st.Status != "complete" {
			pending = append(pending, st)
		}
	}
	if err := checkComplete(s, pending, n); err != nil {
		return 0, 0, err
	}
	return float64(n*count) / time.Since(start).Seconds(), float64(n*count) / (s.cpu() - cpu0).Seconds(), nil
}

// warmUp posts are not timed (nor counted in the polled objects): the
// first requests of a fresh server pay for connections and caches.
const warmUp = 20

// measure times each kind of POST on a fresh server (medallion's POSTs
// slow down as its collection grows: each measurement starts from the
// same collection size on either side, prefill rounded down to 100), then fills one more to poll
// objects and polls them back. It returns that server, still running
// (nil if none started).
func measure(start func() (*server, error), single, envelopes, poll, prefill int) (result, *server, error) {
	var r result
	steps := []struct {
		rate     *float64
		count, n int
		async    bool
	}{{&r.single, single, 1, false}, {&r.envelope, envelopes, 100, false},
		{&r.singleAsync, single, 1, true}, {&r.envAsync, envelopes, 100, true}}
	for k, step := range steps {
		s, err := start()
		if err != nil {
			return r, nil, err
		}
		if _, _, err = posts(s, warmUp, 1, false); err == nil {
			_, _, err = posts(s, prefill/100, 100, false)
		}
		if err == nil {
			*step.rate, r.cpu[k], err = postsOutside(s, step.count, step.n, step.async)
		}
		s.stop()
		if err != nil {
			return r, nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	s, err := start()
	if err != nil {
		return r, nil, err
	}
	if _, _, err := posts(s, warmUp, 1, false); err != nil {
		return r, s, err
	}
	if _, _, err := posts(s, poll/100, 100, false); err != nil {
		return r, s, err
	}
	if _, _, err := posts(s, poll%100, 1, false); err != nil {
		return r, s, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := s.visible(ctx, poll+warmUp); err != nil {
		return r, s, err
	}
	begin := time.Now()
	n, err := pollAll(s)
	if err != nil {
		return r, s, err
	}
	r.poll, r.polled = float64(n)/time.Since(begin).Seconds(), n
	if n < poll+warmUp {
		return r, s, fmt.Errorf("polled %d objects, want %d", n, poll)
	}
	return r, s, nil
}

// pollAll pages through the polled collection 100 at a time with next.
func pollAll(s *server) (int, error) {
	n, next := 0, ""
	for {
		url := fmt.Sprintf("%sobjects/?limit=%d", s.poll, s.maxPage)
		if next != "" {
			url += "&next=" + next
		}
		req, _ := http.NewRequest("GET", url, nil)
		b, err := do(req, s.pollAuth)
		if err != nil {
			return n, err
		}
		var env struct {
			More    bool
			Next    string
			Objects []json.RawMessage
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return n, err
		}
		n += len(env.Objects)
		if !env.More {
			return n, nil
		}
		next = env.Next
	}
}
