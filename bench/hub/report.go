package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// report prints the medians of each side and the hub/hop ratios, with the
// command that produced them, then every run.
func report(w io.Writer, o options, results map[string][]sideResult) {
	fmt.Fprintf(w, "`%s` (%d runs per side, alternating which goes first; medians)\n\n",
		strings.Join(append([]string{"go run ./bench/hub"}, os.Args[1:]...), " "), o.runs)
	med := map[string]sideResult{}
	for _, side := range o.sides {
		med[side] = medians(results[side], len(o.rates))
	}
	// The ratios of each pair run: the hub against the raw hop, against the
	// hop whose clients cross member accounts as the hub's do, and what
	// those crossings cost the hop.
	var pairs [][2]string
	for _, p := range [][2]string{{"hub", "hop"}, {"hub", "hop-acct"}, {"hop-acct", "hop"}, {"hop4-acct", "hop4"}} {
		if slices.Contains(o.sides, p[0]) && slices.Contains(o.sides, p[1]) {
			pairs = append(pairs, p)
		}
	}

	fmt.Fprintln(w, "| sustained | submissions/s | CPU µs/submission | idle CPU ms/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, side := range o.sides {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f |\n", side, med[side].tp.perSecond, med[side].tp.cpuMicros, med[side].idleMillis)
	}
	for _, p := range pairs {
		a, b := med[p[0]], med[p[1]]
		fmt.Fprintf(w, "| %s / %s | %.2f× | %.1f× | |\n", p[0], p[1], a.tp.perSecond/b.tp.perSecond, a.tp.cpuMicros/b.tp.cpuMicros)
	}
	for k, rate := range o.rates {
		fmt.Fprintf(w, "\n| offered %d/s | p50 | p99 | p999 | CPU µs/submission |\n|---|---:|---:|---:|---:|\n", rate)
		for _, side := range o.sides {
			l := med[side].lat[k]
			fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f |\n", side, ms(l.p50), ms(l.p99), ms(l.p999), l.cpuMicros)
		}
		for _, p := range pairs {
			a, b := med[p[0]].lat[k], med[p[1]].lat[k]
			fmt.Fprintf(w, "| %s / %s | %.1f× | %.1f× | %.1f× | %.1f× |\n", p[0], p[1], ratio(a.p50, b.p50), ratio(a.p99, b.p99),
				ratio(a.p999, b.p999), a.cpuMicros/b.cpuMicros)
		}
	}
	for _, p := range pairs {
		if p[0] != "hub" || len(o.rates) == 0 {
			continue
		}
		a, b := med[p[0]], med[p[1]]
		fmt.Fprintf(w, "\nGoals against %s: throughput ≥ 0.5×: %s (%.2f×); p99 ≤ 2× at %d/s: %s (%.1f×).\n", p[1],
			verdict(a.tp.perSecond >= b.tp.perSecond/2), a.tp.perSecond/b.tp.perSecond, o.rates[0],
			verdict(a.lat[0].p99 <= 2*b.lat[0].p99), ratio(a.lat[0].p99, b.lat[0].p99))
	}
	fmt.Fprintln(w, "\nEvery run:")
	fmt.Fprintln(w)
	for _, side := range o.sides {
		for i, r := range results[side] {
			fmt.Fprintf(w, "- %s run %d: %.0f submissions/s, %.0f CPU µs/submission", side, i+1, r.tp.perSecond, r.tp.cpuMicros)
			for k, l := range r.lat {
				fmt.Fprintf(w, "; at %d/s p50 %s, p99 %s, p999 %s, max %s", o.rates[k], ms(l.p50), ms(l.p99), ms(l.p999), ms(l.max))
			}
			fmt.Fprintln(w)
		}
	}
}

func medians(rs []sideResult, rates int) sideResult {
	m := sideResult{idleMillis: median(rs, func(r sideResult) float64 { return r.idleMillis }), tp: throughputResult{
		perSecond: median(rs, func(r sideResult) float64 { return r.tp.perSecond }),
		cpuMicros: median(rs, func(r sideResult) float64 { return r.tp.cpuMicros }),
	}}
	for k := range rates {
		m.lat = append(m.lat, latencyResult{
			p50:       medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p50 }),
			p99:       medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p99 }),
			p999:      medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p999 }),
			cpuMicros: median(rs, func(r sideResult) float64 { return r.lat[k].cpuMicros }),
		})
	}
	return m
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func median(rs []sideResult, f func(sideResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func medianDur(rs []sideResult, f func(sideResult) time.Duration) time.Duration {
	return time.Duration(median(rs, func(r sideResult) float64 { return float64(f(r)) }))
}
