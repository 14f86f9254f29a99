package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// phase is the time from one kill to the next (the first: from the start).
type phase struct {
	name    string
	start   time.Time
	restart time.Duration // how long the killed process took to serve again
}

func report(w io.Writer, o options, l *ledger, ran, settled time.Duration, phases []phase, samples []sampleRow, checks []check, s *system) {
	fmt.Fprintf(w, "## Soak: %v at %.0f submissions/s, a SIGKILL every %v\n\n", o.duration, o.rate, o.killEvery)
	if o.retention > 0 {
		fmt.Fprintf(w, "The hub's retention: %v.\n\n", o.retention)
	}
	if settled >= 0 {
		fmt.Fprintf(w, "Everything had arrived %v after the last submission.\n\n", settled.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "Not everything had arrived %v after the last submission.\n\n", o.settle)
	}
	writeChecks(w, checks)

	fmt.Fprintln(w, "\nSubmit-to-delivery latency by phase (from when a submission was due on the steady schedule to its first arrival at each reading member):")
	fmt.Fprintln(w, "\n| phase | from | back after | deliveries | p50 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|")
	l.mu.Lock()
	lat := slices.Clone(l.latency)
	l.mu.Unlock()
	for i, p := range phases {
		end := time.Now()
		if i+1 < len(phases) {
			end = phases[i+1].start
		}
		ds := dueBetween(lat, p.start, end)
		back := "–"
		if p.restart > 0 {
			back = p.restart.Round(time.Millisecond).String()
		}
		fmt.Fprintf(w, "| %s | %v | %s | %d | %s | %s | %s |\n", p.name, p.start.Sub(phases[0].start).Round(time.Second), back,
			len(ds), quantile(ds, 0.50), quantile(ds, 0.99), quantile(ds, 1))
	}

	fmt.Fprintln(w, "\nRSS (MB) and open files of each process over time, and the hub's and the worker node's Go heap in use (MB; RSS also holds JetStream's block caches). A restarted process starts afresh:")
	fmt.Fprint(w, "\n| time | hub Go heap | worker Go heap |")
	for _, p := range s.procs() {
		fmt.Fprintf(w, " %s RSS | %s files |", p.name, p.name)
	}
	fmt.Fprint(w, "\n|---|---:|---:|")
	for range s.procs() {
		fmt.Fprint(w, "---:|---:|")
	}
	fmt.Fprintln(w)
	for _, r := range samples {
		fmt.Fprintf(w, "| %v | %.0f | %.0f |", r.at.Round(time.Second), r.hubHeap, r.wrkHeap)
		for _, u := range r.usage {
			fmt.Fprintf(w, " %.0f | %d |", float64(u.rssKB)/1024, u.fds)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nRan %v in all.\n", ran.Round(time.Second))
}

// dueBetween is the latency of the deliveries due in [start, end).
func dueBetween(lat []delivery, start, end time.Time) []time.Duration {
	var ds []time.Duration
	for _, d := range lat {
		if !d.due.Before(start) && d.due.Before(end) {
			ds = append(ds, d.d)
		}
	}
	return ds
}

func writeChecks(w io.Writer, checks []check) {
	fmt.Fprintln(w, "| check | result | |\n|---|---|---|")
	for _, c := range checks {
		verdict := "ok"
		if !c.ok {
			verdict = "**FAILED**"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.what, c.got, verdict)
	}
}

func quantile(ds []time.Duration, q float64) string {
	if len(ds) == 0 {
		return "–"
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))].Round(time.Millisecond).String()
}

// printSample writes one sample to stderr as it is taken, so a soak cut
// short still shows memory over time.
func printSample(r sampleRow) {
	fmt.Fprintf(os.Stderr, "sample %v: heap MB hub %.0f worker %.0f; RSS MB", r.at.Round(time.Second), r.hubHeap, r.wrkHeap)
	for _, u := range r.usage {
		fmt.Fprintf(os.Stderr, " %.0f", float64(u.rssKB)/1024)
	}
	fmt.Fprint(os.Stderr, "; files")
	for _, u := range r.usage {
		fmt.Fprintf(os.Stderr, " %d", u.fds)
	}
	fmt.Fprintln(os.Stderr, " (hub, worker, archive, connector)")
}
